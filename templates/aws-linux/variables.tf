# ---------------------------------------------------------------------------------------
# Workspace metadata, injected by Berth as TF_VAR_berth_* on every build (the role of
# Coder's data.coder_workspace / data.coder_workspace_owner). They are not parameters:
# users never set them. The defaults make a raw `tofu plan` work too.
# ---------------------------------------------------------------------------------------

variable "berth_workspace_id" {
  type        = string
  default     = "dev"
  description = "Berth workspace id (stable across renames). Recorded in tags."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", var.berth_workspace_id))
    error_message = "The berth_workspace_id must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$ (it is part of resource names)."
  }
}

variable "berth_workspace_name" {
  type        = string
  default     = "dev"
  description = "Berth workspace name (used for the instance's hostname and Name tag)."
}

variable "berth_workspace_owner" {
  type        = string
  default     = "user:default/dev"
  description = "Berth workspace owner (recorded in tags)."
}

variable "berth_workspace_transition" {
  type        = string
  default     = "start"
  description = "start | stop | delete. The instance runs only while the workspace is started."

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
  default     = "aws-linux"
  description = "Name of the Berth template this workspace was built from (recorded in tags)."
}

# ---------------------------------------------------------------------------------------
# Template parameters (display names, options and mutability live in berth.yaml)
# ---------------------------------------------------------------------------------------

variable "region" {
  type        = string
  default     = "us-east-1"
  description = "AWS region of the workspace's instance."
}

variable "instance_type" {
  type        = string
  default     = "t3.medium"
  description = "EC2 instance type. A change is applied by stopping, resizing and starting the instance."
}

variable "disk_gb" {
  type        = number
  default     = 30
  description = "Size of the root volume (gp3) in GiB. It can only grow."

  validation {
    condition     = var.disk_gb >= 16 && var.disk_gb <= 1024 && floor(var.disk_gb) == var.disk_gb
    error_message = "The disk_gb must be a whole number between 16 and 1024."
  }
}
