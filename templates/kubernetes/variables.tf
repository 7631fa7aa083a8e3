# ---------------------------------------------------------------------------------------
# Workspace metadata, injected by Berth as TF_VAR_berth_* on every build (the role of
# Coder's data.coder_workspace / data.coder_workspace_owner). They are not parameters:
# users never set them. The defaults make a raw `tofu plan` work too.
# ---------------------------------------------------------------------------------------

variable "berth_workspace_id" {
  type        = string
  default     = "dev"
  description = "Berth workspace id (stable across renames). Names the Kubernetes objects."

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.berth_workspace_id)) && length(var.berth_workspace_id) <= 48
    error_message = "The berth_workspace_id must be lower-case letters, digits and \"-\" (at most 48 characters): it is part of Kubernetes object names."
  }
}

variable "berth_workspace_name" {
  type        = string
  default     = "dev"
  description = "Berth workspace name (recorded in annotations)."
}

variable "berth_workspace_owner" {
  type        = string
  default     = "user:default/dev"
  description = "Berth workspace owner (recorded in annotations)."
}

variable "berth_workspace_transition" {
  type        = string
  default     = "start"
  description = "start | stop | delete. The pod only runs while the workspace is started."

  validation {
    condition     = contains(["start", "stop", "delete"], var.berth_workspace_transition)
    error_message = "The berth_workspace_transition must be one of start, stop, delete."
  }
}

variable "berth_build_number" {
  type        = number
  default     = 0
  description = "Berth build number (informational)."
}

variable "berth_template_name" {
  type        = string
  default     = "kubernetes"
  description = "Name of the Berth template this workspace was built from (recorded in annotations)."
}

# ---------------------------------------------------------------------------------------
# Template parameters (display names, options and mutability live in berth.yaml)
# ---------------------------------------------------------------------------------------

variable "namespace" {
  type        = string
  default     = "berth-workspaces"
  description = "Kubernetes namespace of the workspace's objects. It must exist; the worker's credentials need rights on it."

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.namespace)) && length(var.namespace) <= 63
    error_message = "The namespace must be a DNS label: lower-case letters, digits and \"-\", at most 63 characters."
  }
}

variable "image" {
  type        = string
  default     = "mcr.microsoft.com/devcontainers/base:ubuntu-24.04"
  description = "Container image of the workspace."
}

variable "cpu" {
  type        = number
  default     = 2
  description = "CPU cores (request and limit) of the workspace container."

  validation {
    condition     = var.cpu >= 1 && var.cpu <= 16
    error_message = "The cpu must be between 1 and 16."
  }
}

variable "memory" {
  type        = number
  default     = 4
  description = "Memory (request and limit) of the workspace container, in GiB."

  validation {
    condition     = var.memory >= 1 && var.memory <= 64
    error_message = "The memory must be between 1 and 64 GiB."
  }
}

variable "disk_gb" {
  type        = number
  default     = 20
  description = "Size of the home volume in GiB. It can only grow (the storage class must allow volume expansion)."

  validation {
    condition     = var.disk_gb >= 5 && var.disk_gb <= 500 && floor(var.disk_gb) == var.disk_gb
    error_message = "The disk_gb must be a whole number between 5 and 500."
  }
}
