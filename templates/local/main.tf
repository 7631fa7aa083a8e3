# Berth template "local": a real workspace on the machine that runs the Berth worker,
# using no providers at all (only terraform_data, local-exec and built-in functions), so
# `tofu init` needs no network. Every shell snippet is POSIX /bin/sh (dash) syntax.
#
#   terraform_data.home        Persistent home <workspaces_root>/<berth_workspace_id>.
#                              Created by the first build, kept on stop, rm -rf'd on delete.
#   terraform_data.workspace   Long-running detached workspace process; exists only while
#                              berth_workspace_transition == "start" (start_count pattern).
#                              Its pid is recorded in <home>/.berth/workspace.pid.
#   terraform_data.stop_sweep  Exists only while not started; makes a stop build kill any
#                              workspace process that survived (see below).
#
# See README.md next to this file.

terraform {
  required_version = ">= 1.6.0"
}

# ---------------------------------------------------------------------------------------
# Workspace metadata, injected by Berth as TF_VAR_berth_*. The defaults make a raw
# `tofu apply` work too.
# ---------------------------------------------------------------------------------------

variable "berth_workspace_id" {
  type        = string
  default     = "dev"
  description = "Berth workspace id. Names the home directory and the workspace process."

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]*$", var.berth_workspace_id))
    error_message = "The berth_workspace_id must match ^[A-Za-z0-9][A-Za-z0-9._-]*$ (it is used as a directory name)."
  }
}

variable "berth_workspace_name" {
  type        = string
  default     = "dev"
  description = "Berth workspace name (informational)."
}

variable "berth_workspace_owner" {
  type        = string
  default     = "dev"
  description = "Berth workspace owner (informational)."
}

variable "berth_workspace_transition" {
  type        = string
  default     = "start"
  description = "start | stop | delete. The workspace process only exists for start; delete builds use plan -destroy."

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

# ---------------------------------------------------------------------------------------
# Template parameters
# ---------------------------------------------------------------------------------------

variable "workspaces_root" {
  type        = string
  default     = "/tmp/berth-workspaces"
  description = "Absolute directory under which homes are created. A workspace's home is <workspaces_root>/<berth_workspace_id>: the id (not owner/name) keeps it unique and stable across renames."

  validation {
    condition     = startswith(var.workspaces_root, "/") && trimsuffix(var.workspaces_root, "/") != ""
    error_message = "The workspaces_root must be an absolute path other than \"/\" (every build runs in a fresh working directory, so a relative path would not be stable)."
  }
}

variable "start_delay_seconds" {
  type        = number
  default     = 0
  description = "Seconds to sleep in the start provisioner before the workspace process is started (tests use it to make a start apply slow)."

  validation {
    condition     = var.start_delay_seconds >= 0
    error_message = "The start_delay_seconds must be >= 0."
  }
}

locals {
  home        = "${trimsuffix(var.workspaces_root, "/")}/${var.berth_workspace_id}"
  start_count = var.berth_workspace_transition == "start" ? 1 : 0

  # Our workspace process is recognised by an argv element that is exactly
  # "berth-workspace:<id>". /proc/<pid>/cmdline separates argv elements with NUL bytes.
  marker_nul = "\u0000berth-workspace:${var.berth_workspace_id}\u0000"

  # Plan-time liveness of the process named by the pidfile (drift detection, see
  # triggers_replace below). These only reference variables, so they are evaluated before
  # any resource is applied.
  recorded_pid  = try(tonumber(trimspace(file("${local.home}/.berth/workspace.pid"))), null)
  process_alive = local.recorded_pid == null ? false : try(strcontains(file("/proc/${local.recorded_pid}/cmdline"), local.marker_nul), false)

  # Shell functions shared by the provisioners; they expect WS_HOME and WS_ID in the
  # environment. The workspace id is only expanded at run time (always passed through
  # `environment`, never interpolated into a command), so no provisioner shell ever has
  # the marker in its own command line. Destroy-time provisioners may only reference
  # `self`, so the create provisioners keep a copy in <home>/.berth/lib.sh for them.
  ws_lib = <<-EOT
    berth_dir="$WS_HOME/.berth"
    pidfile="$berth_dir/workspace.pid"
    marker="berth-workspace:$WS_ID"
    # is_ours PID: true if PID is alive and has an argv element that is exactly $marker.
    # (Compared in the shell: an external command given $marker as an argument would itself
    # look like our process.)
    is_ours() {
      case "$1" in '' | *[!0-9]*) return 1 ;; esac
      [ -r "/proc/$1/cmdline" ] || return 1
      tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | {
        while IFS= read -r arg; do [ "$arg" = "$marker" ] && exit 0; done
        exit 1
      }
    }
    # our_pids: live workspace processes of this workspace (the pidfile's, plus any found by a
    # /proc scan in case the pidfile is stale or lost), sorted and de-duplicated, one per line.
    our_pids() {
      {
        if [ -s "$pidfile" ]; then cat "$pidfile" 2>/dev/null || true; fi
        grep -lsF -e 'berth-workspace:' /proc/[0-9]*/cmdline 2>/dev/null |
          sed -n 's|^/proc/\([0-9]*\)/cmdline$|\1|p' || true
      } | sort -un | while IFS= read -r p; do
        if is_ours "$p"; then echo "$p"; fi
      done
    }
    # stop_workspace: TERM all our processes, wait up to 5s, then KILL; remove the pidfile.
    # Succeeds when nothing is running.
    stop_workspace() {
      pids=$(our_pids)
      if [ -z "$pids" ]; then
        echo "berth: workspace process not running"
      else
        echo "berth: stopping workspace process(es):" $pids
        kill -TERM $pids 2>/dev/null || true
        i=0
        alive=$pids
        while [ -n "$alive" ] && [ "$i" -lt 50 ]; do
          sleep 0.1
          i=$((i + 1))
          alive=
          for p in $pids; do if is_ours "$p"; then alive="$alive $p"; fi; done
        done
        if [ -n "$alive" ]; then
          echo "berth: still running after 5s, sending KILL:$alive"
          kill -KILL $alive 2>/dev/null || true
        fi
      fi
      rm -f "$pidfile"
    }
  EOT

  # The workspace process itself. It runs as `sh <home>/.berth/workspace.sh
  # berth-workspace:<id>` in its own session with a clean environment, writes its own pid,
  # then heartbeats until it gets TERM or INT.
  workspace_script = <<-EOT
    # Berth local workspace process, managed by OpenTofu (terraform_data.workspace).
    trap '' HUP
    child=
    trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null; fi; echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) stopping (pid $$)"; exit 0' TERM INT
    cd "$HOME" || exit 1
    echo "$$" >"$BERTH_PIDFILE.tmp" && mv -f "$BERTH_PIDFILE.tmp" "$BERTH_PIDFILE"
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) workspace $BERTH_WORKSPACE_ID started (pid $$)"
    while :; do
      date -u +%Y-%m-%dT%H:%M:%SZ >"$HOME/.berth/heartbeat"
      sleep 10 &
      child=$!
      wait "$child"
      child=
    done
  EOT
}

# ---------------------------------------------------------------------------------------
# Persistent home: kept on stop, removed on delete.
# ---------------------------------------------------------------------------------------

resource "terraform_data" "home" {
  input = {
    path = local.home
    id   = var.berth_workspace_id
  }

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    environment = {
      WS_HOME  = local.home
      WS_ID    = var.berth_workspace_id
      WS_NAME  = var.berth_workspace_name
      WS_OWNER = var.berth_workspace_owner
      WS_LIB   = local.ws_lib
    }
    command = <<-EOT
      set -eu
      mkdir -p "$WS_HOME/.berth"
      printf 'id=%s\nname=%s\nowner=%s\ncreated=%s\n' "$WS_ID" "$WS_NAME" "$WS_OWNER" \
        "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$WS_HOME/.berth/home"
      if [ ! -e "$WS_HOME/README.md" ]; then
        printf '%s\n' \
          '# Berth workspace home' '' \
          'This is the persistent home of a Berth "local" workspace. It is kept when the' \
          'workspace is stopped and deleted when the workspace is deleted.' \
          >"$WS_HOME/README.md"
      fi
      printf '%s\n' "$WS_LIB" >"$WS_HOME/.berth/lib.sh"
      echo "berth: home ready at $WS_HOME"
    EOT
  }

  # On delete: stop any workspace process first (the workspace resource's own destroy
  # provisioner does not run if that resource is tainted), then remove the home.
  provisioner "local-exec" {
    when        = destroy
    interpreter = ["/bin/sh", "-c"]
    environment = {
      WS_HOME = self.output.path
      WS_ID   = self.output.id
    }
    command = <<-EOT
      set -u
      case "$WS_HOME" in
        /*/*) ;;
        *) echo "berth: refusing to remove home '$WS_HOME': not an absolute path below a root" >&2; exit 1 ;;
      esac
      case "$WS_HOME/" in
        */../* | */./*) echo "berth: refusing to remove home '$WS_HOME': contains . or .." >&2; exit 1 ;;
      esac
      # Destroy-time provisioners may only reference self, so the shared shell helpers come
      # from the copy the create provisioners keep in the home (lib.sh); without it, fall back
      # to matching the workspace process by its marker.
      if [ -r "$WS_HOME/.berth/lib.sh" ]; then
        . "$WS_HOME/.berth/lib.sh"
        stop_workspace
      else
        pkill -TERM -f "berth-workspace:$WS_ID\$" 2>/dev/null || true
      fi
      rm -rf -- "$WS_HOME" || exit 1
      echo "berth: removed home $WS_HOME"
    EOT
  }
}

# ---------------------------------------------------------------------------------------
# Workspace process: exists only while started.
# ---------------------------------------------------------------------------------------

resource "terraform_data" "workspace" {
  count = local.start_count

  # Only stable values here: a change replaces (restarts) the workspace process.
  input = {
    home = local.home
    id   = var.berth_workspace_id
  }

  # Drift detection: if the workspace is recorded as started but its process is gone
  # (crash, reboot, manual kill), a start build replaces this resource, which starts the
  # process again. While the process is alive the value is the constant "alive", so nothing
  # changes. When it is dead the value is unknown at plan time (timestamp() is only known
  # during apply), which forces a replacement; during apply it evaluates to "alive" again,
  # so state always stores "alive" and the next plan is clean.
  triggers_replace = local.process_alive ? "alive" : (timestamp() != "" ? "alive" : "alive")

  depends_on = [terraform_data.home]

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    environment = {
      WS_HOME   = local.home
      WS_ID     = var.berth_workspace_id
      WS_NAME   = var.berth_workspace_name
      WS_OWNER  = var.berth_workspace_owner
      WS_DELAY  = tostring(var.start_delay_seconds)
      WS_SCRIPT = local.workspace_script
      WS_LIB    = local.ws_lib
    }
    command = <<-EOT
      set -eu
      eval "$WS_LIB"
      mkdir -p "$berth_dir"
      printf '%s\n' "$WS_LIB" >"$berth_dir/lib.sh"
      if [ "$WS_DELAY" != "0" ]; then
        echo "berth: start_delay_seconds=$WS_DELAY, sleeping"
        sleep "$WS_DELAY"
      fi
      mkdir -p "$berth_dir"

      # Idempotent: a retried apply (e.g. after a worker crash) must not start a second
      # process, so reuse a live one.
      existing=$(our_pids | head -n 1)
      if [ -n "$existing" ]; then
        echo "$existing" >"$pidfile"
        echo "berth: workspace process already running (pid $existing), reusing it"
        exit 0
      fi

      rm -f "$pidfile"
      printf '%s\n' "$WS_SCRIPT" >"$berth_dir/workspace.sh"
      # Detached: own session (setsid), clean environment, stdio not inherited, so it
      # neither holds tofu's output pipes open nor receives signals sent to tofu's group.
      env -i \
        HOME="$WS_HOME" \
        PATH="$${PATH:-/usr/local/bin:/usr/bin:/bin}" \
        LANG="$${LANG:-C.UTF-8}" \
        USER="$(id -un 2>/dev/null || echo berth)" \
        BERTH_WORKSPACE_ID="$WS_ID" \
        BERTH_WORKSPACE_NAME="$WS_NAME" \
        BERTH_WORKSPACE_OWNER="$WS_OWNER" \
        BERTH_PIDFILE="$pidfile" \
        setsid sh "$berth_dir/workspace.sh" "$marker" \
        </dev/null >>"$berth_dir/workspace.log" 2>&1 &

      # Wait until the process has written its pidfile.
      i=0
      until [ -s "$pidfile" ] && is_ours "$(cat "$pidfile")"; do
        i=$((i + 1))
        if [ "$i" -gt 100 ]; then
          echo "berth: workspace process did not come up within 10s; log follows:" >&2
          tail -n 20 "$berth_dir/workspace.log" >&2 || true
          exit 1
        fi
        sleep 0.1
      done
      echo "berth: workspace process started (pid $(cat "$pidfile"))"
    EOT
  }

  provisioner "local-exec" {
    when        = destroy
    interpreter = ["/bin/sh", "-c"]
    environment = {
      WS_HOME = self.output.home
      WS_ID   = self.output.id
    }
    command = <<-EOT
      set -u
      # Destroy-time provisioners may only reference self, so the shared shell helpers come
      # from the copy the create provisioners keep in the home (lib.sh); without it, fall back
      # to matching the workspace process by its marker.
      if [ -r "$WS_HOME/.berth/lib.sh" ]; then
        . "$WS_HOME/.berth/lib.sh"
        stop_workspace
      else
        pkill -TERM -f "berth-workspace:$WS_ID\$" 2>/dev/null || true
      fi
      exit 0
    EOT
  }
}

# ---------------------------------------------------------------------------------------
# Stop sweep: exists only while NOT started. Destroy-time provisioners do not run for a
# tainted resource (e.g. a start apply interrupted right after the process came up) and
# nothing runs for a resource missing from state (worker killed mid-apply), so without this
# a stop build could leak the process. It is created by the first non-start build and
# replaced by any later one whose plan finds a live workspace process (same trick as
# terraform_data.workspace.triggers_replace); its provisioner stops the process. It depends
# on terraform_data.workspace so that in a normal stop it runs after that resource's own
# destroy provisioner (and then finds nothing to do).
# ---------------------------------------------------------------------------------------

resource "terraform_data" "stop_sweep" {
  count = 1 - local.start_count

  triggers_replace = local.process_alive ? (timestamp() != "" ? "stopped" : "stopped") : "stopped"

  depends_on = [terraform_data.home, terraform_data.workspace]

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    environment = {
      WS_HOME = local.home
      WS_ID   = var.berth_workspace_id
      WS_LIB  = local.ws_lib
    }
    command = <<-EOT
      set -u
      eval "$WS_LIB"
      stop_workspace
      exit 0
    EOT
  }
}

# ---------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------

locals {
  # Evaluated during apply only after terraform_data.workspace (it references it), i.e. after
  # the start provisioner has written the pidfile. null unless started and the process named
  # by the pidfile is alive and ours.
  live_pid = one([
    for p in [length(terraform_data.workspace) == 0 ? null : try(tonumber(trimspace(file("${terraform_data.workspace[0].output.home}/.berth/workspace.pid"))), null)] :
    p if p != null && try(strcontains(file("/proc/${p}/cmdline"), "\u0000berth-workspace:${terraform_data.workspace[0].output.id}\u0000"), false)
  ])
}

output "home" {
  description = "Absolute path of the workspace's persistent home directory."
  value       = terraform_data.home.output.path
}

output "pid" {
  description = "PID of the workspace process, or null when it is not running (a null output is omitted from `tofu output -json` and from the state file's outputs)."
  value       = local.live_pid
}

output "running" {
  description = "Whether the workspace process was alive at the end of the build (always present)."
  value       = local.live_pid != null
}
