# ---------------------------------------------------------------------------------------
# Workspace metadata, injected by Berth as TF_VAR_berth_* on every build (the role of
# Coder's data.coder_workspace / data.coder_workspace_owner). They are not parameters:
# users never set them. The defaults make a raw `tofu plan` work too.
# ---------------------------------------------------------------------------------------

variable "berth_workspace_id" {
  type        = string
  default     = "dev"
  description = "Berth workspace id (stable across renames). Names the container and the home volume."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.berth_workspace_id))
    error_message = "The berth_workspace_id must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (it is part of Docker object names)."
  }
}

variable "berth_workspace_name" {
  type        = string
  default     = "dev"
  description = "Berth workspace name (used for the container's hostname)."
}

variable "berth_workspace_owner" {
  type        = string
  default     = "user:default/dev"
  description = "Berth workspace owner (recorded in labels)."
}

variable "berth_workspace_transition" {
  type        = string
  default     = "start"
  description = "start | stop | delete. The container only exists while the workspace is started."

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
  default     = "docker"
  description = "Name of the Berth template this workspace was built from (recorded in labels)."
}

# ---------------------------------------------------------------------------------------
# Template parameters (display names, options and mutability live in berth.yaml)
# ---------------------------------------------------------------------------------------

variable "image" {
  type        = string
  default     = "mcr.microsoft.com/devcontainers/base:ubuntu-24.04"
  description = "Container image of the workspace. The home volume is kept when it changes."
}

variable "cpu" {
  type        = number
  default     = 2
  description = "CPU cores the workspace container may use."

  validation {
    condition     = var.cpu >= 1 && var.cpu <= 16 && floor(var.cpu) == var.cpu
    error_message = "The cpu must be a whole number of cores between 1 and 16."
  }
}

variable "memory_mb" {
  type        = number
  default     = 4096
  description = "Memory limit of the workspace container, in MiB."

  validation {
    condition     = var.memory_mb >= 512 && var.memory_mb <= 65536
    error_message = "The memory_mb must be between 512 and 65536."
  }
}
