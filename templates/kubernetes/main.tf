# Berth template "kubernetes": one Deployment (a single pod) per workspace in a namespace of
# the cluster the Berth worker can reach, with a persistent home volume.
#
#   kubernetes_persistent_volume_claim_v1.home  Persistent /home/dev. Created by the first
#                                               build, kept on stop, grown when disk_gb
#                                               grows, removed on delete.
#   kubernetes_deployment_v1.workspace          replicas = 1 while started, 0 while stopped
#                                               (start_count pattern): stop deletes the pod,
#                                               start schedules a new one on the same claim.
#
# See README.md next to this file.

terraform {
  required_version = ">= 1.6.0"

  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.23"
    }
  }
}

# Credentials: the worker's kubeconfig. Berth runs tofu with a filtered environment (HOME is
# kept, KUBECONFIG and KUBERNETES_SERVICE_* are not), so name the file explicitly. See
# README.md for running the worker inside the cluster.
provider "kubernetes" {
  config_path = pathexpand("~/.kube/config")
}

locals {
  start_count = var.berth_workspace_transition == "start" ? 1 : 0

  # Storage class of home volumes; null = the cluster's default. It must allow volume
  # expansion for disk_gb increases to apply.
  storage_class = null

  name = "berth-${var.berth_workspace_id}"

  # Label values are restricted (63 characters of [A-Za-z0-9_.-]); owner and name go into
  # annotations instead.
  labels = {
    "app.kubernetes.io/name"       = "berth-workspace"
    "app.kubernetes.io/instance"   = local.name
    "app.kubernetes.io/managed-by" = "berth"
    "berth.dev/workspace-id"       = var.berth_workspace_id
  }
  annotations = {
    "berth.dev/workspace-name" = var.berth_workspace_name
    "berth.dev/owner"          = var.berth_workspace_owner
    "berth.dev/template"       = var.berth_template_name
  }
}

# ---------------------------------------------------------------------------------------
# Persistent home: kept on stop, removed on delete.
# ---------------------------------------------------------------------------------------

resource "kubernetes_persistent_volume_claim_v1" "home" {
  metadata {
    name        = "${local.name}-home"
    namespace   = var.namespace
    labels      = local.labels
    annotations = local.annotations
  }

  # With WaitForFirstConsumer storage classes the claim binds only when the pod is scheduled.
  wait_until_bound = false

  spec {
    access_modes       = ["ReadWriteOnce"]
    storage_class_name = local.storage_class

    resources {
      requests = {
        storage = "${var.disk_gb}Gi"
      }
    }
  }

  lifecycle {
    # A rename changes the annotations only; never let metadata replace the claim.
    ignore_changes = [metadata[0].annotations]
  }
}

# ---------------------------------------------------------------------------------------
# Workspace pod: runs only while started.
# ---------------------------------------------------------------------------------------

resource "kubernetes_deployment_v1" "workspace" {
  # Wait for the pod to be ready on start, and for it to be gone on stop.
  wait_for_rollout = true

  metadata {
    name        = local.name
    namespace   = var.namespace
    labels      = local.labels
    annotations = local.annotations
  }

  spec {
    replicas = local.start_count

    # The home claim is ReadWriteOnce: the old pod must be gone before a new one mounts it.
    strategy {
      type = "Recreate"
    }

    selector {
      match_labels = {
        "berth.dev/workspace-id" = var.berth_workspace_id
      }
    }

    template {
      metadata {
        labels      = local.labels
        annotations = local.annotations
      }

      spec {
        hostname                         = substr(trim(replace(lower(var.berth_workspace_name), "/[^a-z0-9-]/", "-"), "-"), 0, 63)
        termination_grace_period_seconds = 30

        security_context {
          run_as_user     = 1000
          run_as_group    = 1000
          fs_group        = 1000
          run_as_non_root = true
        }

        container {
          name              = "dev"
          image             = var.image
          image_pull_policy = "IfNotPresent"

          # Keep the pod alive and stop promptly on TERM. Replace this with the workspace
          # agent's start command once Berth has one (DESIGN.md §6).
          command = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"]

          env {
            name  = "BERTH_WORKSPACE_ID"
            value = var.berth_workspace_id
          }
          env {
            name  = "BERTH_WORKSPACE_NAME"
            value = var.berth_workspace_name
          }
          env {
            name  = "BERTH_WORKSPACE_OWNER"
            value = var.berth_workspace_owner
          }
          env {
            name  = "HOME"
            value = "/home/dev"
          }

          resources {
            requests = {
              cpu    = tostring(var.cpu)
              memory = "${var.memory}Gi"
            }
            limits = {
              cpu    = tostring(var.cpu)
              memory = "${var.memory}Gi"
            }
          }

          volume_mount {
            name       = "home"
            mount_path = "/home/dev"
          }
        }

        volume {
          name = "home"
          persistent_volume_claim {
            claim_name = kubernetes_persistent_volume_claim_v1.home.metadata[0].name
            read_only  = false
          }
        }
      }
    }
  }
}

# ---------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------

output "namespace" {
  description = "Namespace of the workspace's objects."
  value       = var.namespace
}

output "home_claim" {
  description = "Name of the PersistentVolumeClaim that holds /home/dev."
  value       = kubernetes_persistent_volume_claim_v1.home.metadata[0].name
}

output "deployment" {
  description = "Name of the workspace Deployment (0 replicas while stopped)."
  value       = kubernetes_deployment_v1.workspace.metadata[0].name
}
