# Berth template "aws-linux": one EC2 instance (Ubuntu 24.04) per workspace. The instance and
# its root volume live as long as the workspace; stop builds stop the instance, start builds
# start it again.
#
#   aws_security_group.workspace      Egress-only security group of the instance.
#   aws_instance.workspace            The workspace machine, root volume = home. Created by the
#                                     first build, terminated on delete.
#   aws_ec2_instance_state.workspace  "running" while berth_workspace_transition == "start",
#                                     "stopped" otherwise (no compute charges while stopped).
#
# See README.md next to this file.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

# Credentials come from the worker: an instance profile / IRSA / ECS task role, or a shared
# credentials file under the worker's HOME (Berth does not pass AWS_* variables to tofu).
provider "aws" {
  region = var.region

  default_tags {
    tags = {
      "berth:workspace-id" = var.berth_workspace_id
      "berth:owner"        = var.berth_workspace_owner
      "berth:template"     = var.berth_template_name
    }
  }
}

locals {
  running  = var.berth_workspace_transition == "start"
  name     = "berth-${var.berth_workspace_id}"
  hostname = substr(trim(replace(lower(var.berth_workspace_name), "/[^a-z0-9-]/", "-"), "-"), 0, 63)
}

# Latest Ubuntu 24.04 LTS image from Canonical for the region. A newer image does not replace
# existing workspaces (ignore_changes below); new workspaces get it.
data "aws_ami" "ubuntu" {
  most_recent = true
  owners      = ["099720109477"] # Canonical

  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"]
  }

  filter {
    name   = "virtualization-type"
    values = ["hvm"]
  }
}

# The region's default VPC. Point this at your own VPC/subnet for production.
data "aws_vpc" "default" {
  default = true
}

resource "aws_security_group" "workspace" {
  name        = "${local.name}-sg"
  description = "Berth workspace ${var.berth_workspace_id}: egress only"
  vpc_id      = data.aws_vpc.default.id

  # No ingress: reach the machine with SSM Session Manager, or through the workspace agent
  # once Berth has one (it connects out).
  egress {
    description      = "All outbound traffic"
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    cidr_blocks      = ["0.0.0.0/0"]
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_instance" "workspace" {
  ami                    = data.aws_ami.ubuntu.id
  instance_type          = var.instance_type
  vpc_security_group_ids = [aws_security_group.workspace.id]

  # Require IMDSv2.
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.disk_gb
    encrypted   = true
    # The root volume is the home: it goes with the instance when the workspace is deleted.
    delete_on_termination = true
  }

  user_data = <<-EOT
    #cloud-config
    hostname: ${local.hostname != "" ? local.hostname : local.name}
    users:
      - default
      - name: dev
        groups: [sudo]
        shell: /bin/bash
        sudo: "ALL=(ALL) NOPASSWD:ALL"
    write_files:
      - path: /etc/berth/workspace
        content: |
          id=${var.berth_workspace_id}
          owner=${var.berth_workspace_owner}
  EOT

  tags = {
    Name = "berth-${local.hostname != "" ? local.hostname : var.berth_workspace_id}"
  }

  lifecycle {
    # A new AMI or a changed user_data (e.g. a rename) must not replace the machine and
    # lose its disk.
    ignore_changes = [ami, user_data, tags["Name"]]
  }
}

# Stop builds stop the instance, start builds start it; the disk survives both.
resource "aws_ec2_instance_state" "workspace" {
  instance_id = aws_instance.workspace.id
  state       = local.running ? "running" : "stopped"
}

# ---------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------

output "instance_id" {
  description = "EC2 instance id of the workspace."
  value       = aws_instance.workspace.id
}

output "private_ip" {
  description = "Private IPv4 address of the instance."
  value       = aws_instance.workspace.private_ip
}

output "state" {
  description = "Instance state after the build: running or stopped."
  value       = aws_ec2_instance_state.workspace.state
}
