# Berth template "docker": one Docker container per workspace on the Docker host the Berth
# worker (provisioner) can reach, with a persistent home volume.
#
#   docker_volume.home          Persistent /home/dev. Created by the first build, kept on
#                               stop, removed on delete.
#   docker_image.workspace      The workspace image, pulled on the Docker host.
#   docker_container.workspace  Exists only while berth_workspace_transition == "start"
#                               (start_count pattern): stop removes the container, start
#                               creates a new one on the same home volume.
#
# See README.md next to this file.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    docker = {
      source  = "kreuzwerker/docker"
      version = "~> 3.0"
    }
  }
}

# The Docker daemon comes from the worker's environment (DOCKER_HOST, default
# unix:///var/run/docker.sock). Set `host` here to point every workspace at another daemon.
provider "docker" {}

locals {
  start_count = var.berth_workspace_transition == "start" ? 1 : 0

  # Docker object names: the workspace id keeps them unique and stable across renames.
  container_name = "berth-${var.berth_workspace_id}"
  # A hostname is a DNS label: lower-case letters, digits and "-", at most 63 characters.
  hostname = substr(trim(replace(lower(var.berth_workspace_name), "/[^a-z0-9-]/", "-"), "-"), 0, 63)

  labels = {
    "berth.workspace_id"   = var.berth_workspace_id
    "berth.workspace_name" = var.berth_workspace_name
    "berth.owner"          = var.berth_workspace_owner
    "berth.template"       = var.berth_template_name
  }
}

# ---------------------------------------------------------------------------------------
# Persistent home: kept on stop, removed on delete.
# ---------------------------------------------------------------------------------------

resource "docker_volume" "home" {
  name = "berth-${var.berth_workspace_id}-home"

  # Labels keep track of orphaned volumes. They are ForceNew in the provider, so changes
  # (e.g. a rename, recorded in berth.workspace_name) must never replace the volume and
  # wipe the home: ignore them after creation.
  dynamic "labels" {
    for_each = local.labels
    content {
      label = labels.key
      value = labels.value
    }
  }

  lifecycle {
    ignore_changes = all
  }
}

# ---------------------------------------------------------------------------------------
# Workspace container: exists only while started.
# ---------------------------------------------------------------------------------------

resource "docker_image" "workspace" {
  name = var.image
  # Other workspaces may use the same image: never remove it from the host.
  keep_locally = true
}

resource "docker_container" "workspace" {
  count = local.start_count

  name     = local.container_name
  image    = docker_image.workspace.image_id
  hostname = local.hostname != "" ? local.hostname : local.container_name

  # Keep the container alive and stop promptly on TERM. Replace this with the workspace
  # agent's start command once Berth has one (DESIGN.md §6).
  entrypoint = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]

  cpus        = tostring(var.cpu)
  memory      = var.memory_mb
  memory_swap = var.memory_mb

  env = [
    "BERTH_WORKSPACE_ID=${var.berth_workspace_id}",
    "BERTH_WORKSPACE_NAME=${var.berth_workspace_name}",
    "BERTH_WORKSPACE_OWNER=${var.berth_workspace_owner}",
  ]

  # Lets workspace code reach services on the Docker host (e.g. a Berth agent endpoint).
  host {
    host = "host.docker.internal"
    ip   = "host-gateway"
  }

  volumes {
    container_path = "/home/dev"
    volume_name    = docker_volume.home.name
    read_only      = false
  }

  dynamic "labels" {
    for_each = local.labels
    content {
      label = labels.key
      value = labels.value
    }
  }

  # Give the process time to exit cleanly on stop before the container is removed.
  destroy_grace_seconds = 10
}

# ---------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------

output "home_volume" {
  description = "Name of the Docker volume that holds /home/dev."
  value       = docker_volume.home.name
}

output "container" {
  description = "Name of the workspace container, or null when the workspace is stopped."
  value       = one(docker_container.workspace[*].name)
}
