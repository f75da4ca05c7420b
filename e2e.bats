#!/usr/bin/env bats
# End-to-end: the built module judges the requests in test_data/, through `kwctl run` when
# kwctl is installed, else through this project's waPC runner (same host crates as
# policy-server). `make e2e-tests` builds what is needed and sets POLICY: the annotated
# module under kwctl (so metadata.yml is exercised), policy.wasm otherwise.

bats_require_minimum_version 1.5.0
POLICY="${POLICY:-policy.wasm}"

# kwctl writes notices (Sigstore, offline) to stderr: only stdout is the policy's answer.
# The answer is echoed, so that a failing test shows it (bats prints a test's output only
# when it fails).
run_policy() {
  local request="$1" settings="${2:-{\}}"
  if command -v kwctl >/dev/null 2>&1; then
    run --separate-stderr kwctl run "$POLICY" -r "$request" --settings-json "$settings"
  else
    run --separate-stderr target/debug/examples/wapc-run "$POLICY" "$request" "$settings"
  fi
  echo "policy answer to $request with $settings (status $status): $output"
  [ -z "$stderr" ] || echo "stderr: $stderr"
}

# The base64 JSONPatch of kwctl's answer, decoded.
patch_of_answer() {
  echo "$output" | sed -nE 's/.*"patch": *"([^"]*)".*/\1/p' | head -n 1 | base64 -d
}

allowed() { [ "$status" -eq 0 ] && echo "$output" | grep -Eq '"allowed": *true'; }
denied() { [ "$status" -eq 0 ] && echo "$output" | grep -Eq '"allowed": *false'; }
says() { echo "$output" | grep -Fq -- "$1"; }
# Settings refused by validate_settings: kwctl and wapc-run say why on stderr.
says_anywhere() { printf '%s\n%s\n' "$output" "$stderr" | grep -Fq -- "$1"; }
# kwctl writes `"warnings":null`, this project's runner no key: neither is a warning.
no_warnings() { ! echo "$output" | grep -Eq '"warnings": *\['; }
# A function (not `! says`, which bats does not count as a failure mid-test).
never_says() { ! echo "$output" | grep -Fq -- "$1"; }

@test "a restricted-compliant pod is accepted" {
  run_policy test_data/pod_compliant.json
  allowed
}

@test "a privileged pod is rejected with every violation named" {
  run_policy test_data/pod_privileged.json
  denied
  says 'violates PodSecurity \"restricted:latest\"'
  says 'host namespaces (hostPID=true)'
  says 'privileged (container \"shell\" must not set securityContext.privileged=true)'
  says 'restricted volume types (volume \"host\" uses restricted volume type \"hostPath\")'
  says 'runAsUser=0 (container \"shell\" must not set runAsUser=0)'
  says 'violates requireReadOnlyRootFilesystem'
}

@test "baseline still rejects a privileged pod, without the restricted controls" {
  run_policy test_data/pod_privileged.json '{"level":"baseline","requireReadOnlyRootFilesystem":false}'
  denied
  says 'violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true), hostPath volumes (volume \"host\"), privileged'
  never_says 'runAsUser'
}

@test "a privileged Deployment is rejected at admission of the Deployment" {
  run_policy test_data/deployment_privileged.json
  denied
  says 'privileged (container \"app\" must not set securityContext.privileged=true)'
}

@test "a compliant Deployment is accepted" {
  run_policy test_data/deployment_compliant.json
  allowed
}

@test "the pod template's annotations are read (AppArmor)" {
  run_policy test_data/deployment_apparmor_annotation.json
  denied
  says 'forbidden AppArmor profile'
}

@test "a CronJob's init container adding NET_ADMIN is rejected" {
  run_policy test_data/cronjob_net_admin.json
  denied
  says 'container \"fetch\" must not include \"NET_ADMIN\" in securityContext.capabilities.add'
}

@test "a bare Deployment names every missing restricted setting" {
  run_policy test_data/deployment_bare.json
  denied
  says 'allowPrivilegeEscalation != false'
  says 'runAsNonRoot != true'
  says 'seccompProfile'
}

@test "readOnlyRootFilesystem is required by default and can be switched off" {
  run_policy test_data/pod_writable_root.json
  denied
  says 'violates requireReadOnlyRootFilesystem: readOnlyRootFilesystem != true (containers \"setup\", \"app\" must set securityContext.readOnlyRootFilesystem=true)'
  run_policy test_data/pod_writable_root.json '{"requireReadOnlyRootFilesystem":false}'
  allowed
}

@test "a privileged ephemeral container added through the subresource is rejected" {
  run_policy test_data/pod_ephemeral_privileged.json
  denied
  says 'container \"debugger\" must not set securityContext.privileged=true'
}

@test "a relabel of an old non-compliant pod is accepted; an image change is not" {
  run_policy test_data/pod_update_relabel.json
  allowed
  run_policy test_data/pod_update_image.json
  denied
}

@test "exec is accepted unchecked" {
  run_policy test_data/pod_exec.json
  allowed
}

@test "an exempt namespace is accepted and says so" {
  run_policy test_data/pod_exempt_namespace.json '{"exemptions":{"namespaces":["kube-system"]}}'
  allowed
  says 'exempt from PodSecurity: namespace \"kube-system\"'
  run_policy test_data/pod_exempt_namespace.json
  denied
}

@test "other kinds are accepted" {
  run_policy test_data/service.json
  allowed
}

@test "a malformed pod is rejected with the field named" {
  run_policy test_data/pod_malformed.json
  denied
  says 'spec.containers[0].securityContext.privileged: invalid type'
  never_says ' at line '
}

@test "a Windows pod is exempt from the Linux-only restricted controls" {
  run_policy test_data/pod_windows.json
  allowed
  run_policy test_data/pod_windows.json '{"version":"v1.24"}'
  denied
}

@test "pinned versions: v1.22 has no runAsUser control" {
  run_policy test_data/pod_privileged.json '{"version":"v1.22"}'
  denied
  says 'violates PodSecurity \"restricted:v1.22\"'
  never_says 'runAsUser=0'
}

@test "invalid settings are refused" {
  run_policy test_data/pod_compliant.json '{"level":"privileged"}'
  [ "$status" -ne 0 ] || denied
  says_anywhere 'privileged'
  run_policy test_data/pod_compliant.json '{"version":"1.25"}'
  [ "$status" -ne 0 ] || denied
  says_anywhere 'version'
}

@test "mutate: a bare Deployment comes back compliant, with one warning per change" {
  run_policy test_data/deployment_bare.json '{"mutate":true}'
  allowed
  echo "$output" | grep -Eq '"patchType": *"JSONPatch"'
  says 'container \"app\": set securityContext.allowPrivilegeEscalation=false'
  says 'pod: set securityContext.runAsNonRoot=true'
  patch=$(patch_of_answer)
  echo "$patch" | grep -Fq '/spec/template/spec/securityContext'
  echo "$patch" | grep -Fq '"RuntimeDefault"'
}

@test "mutate: a privileged pod is still rejected and not mutated" {
  run_policy test_data/pod_privileged.json '{"mutate":true}'
  denied
  says 'privileged (container \"shell\" must not set securityContext.privileged=true)'
  never_says 'patchType'
}

@test "mutate: a compliant pod is not mutated" {
  run_policy test_data/pod_compliant.json '{"mutate":true}'
  allowed
  never_says 'patch'
}

MESH='{"exclusions":[{"control":"capabilities_restricted","images":["docker.io/istio/proxyv2:*"],"containers":["istio-init"],"values":["NET_ADMIN","NET_RAW"]}]}'

@test "exclusions: the service mesh's init container is forgiven NET_ADMIN and NET_RAW, and it is said" {
  run_policy test_data/pod_service_mesh.json "$MESH"
  allowed
  says 'exclusion in use: control \"capabilities_restricted\" excluded for init container \"istio-init\" (NET_ADMIN, NET_RAW)'
  run_policy test_data/pod_service_mesh.json
  denied
}

@test "exclusions: the app container is still checked" {
  run_policy test_data/pod_service_mesh_app_net_admin.json "$MESH"
  denied
  says 'container \"app\" must not include \"NET_ADMIN\" in securityContext.capabilities.add'
  never_says 'container \"istio-init\" must'
}

@test "exclusions: nonsense is refused by validate_settings" {
  run_policy test_data/pod_service_mesh.json '{"exclusions":[{"control":"sysctls","containers":["a"]}]}'
  [ "$status" -ne 0 ] || denied
  says_anywhere 'exclusions[0]'
}

# Background audit: the audit-scanner's AdmissionReview (internal/audit-scanner/scanner/
# admission_request.go: CREATE, no userInfo, resource named by Kind) gets admission's verdict.
@test "audit: the audit-scanner's request for a Pod gets admission's verdict and message" {
  run_policy test_data/pod_privileged.json
  admission="$output"
  run_policy test_data/audit_pod_privileged.json
  denied
  never_says 'disagree'
  [ "$(echo "$output" | grep -o 'violates PodSecurity.*')" = "$(echo "$admission" | grep -o 'violates PodSecurity.*')" ]
}

@test "audit: the audit-scanner's request for a Deployment gets admission's verdict and message" {
  run_policy test_data/audit_deployment_privileged.json
  denied
  says 'privileged (container \"app\" must not set securityContext.privileged=true)'
}

@test "mutate at baseline fills in only readOnlyRootFilesystem, never runAsNonRoot" {
  run_policy test_data/deployment_bare.json '{"mutate":true,"level":"baseline"}'
  allowed
  says 'set securityContext.readOnlyRootFilesystem=true'
  never_says 'runAsNonRoot'
  never_says 'allowPrivilegeEscalation'
}

@test "exclusions: an entry as the Rancher UI sends it (every field at its default, then filled in) is accepted" {
  run_policy test_data/pod_service_mesh.json '{"exclusions":[{"control":"capabilities_restricted","images":["docker.io/istio/proxyv2:*"],"containers":[],"values":["NET_ADMIN","NET_RAW"],"acknowledgeControlDisabled":false}]}'
  allowed
  run_policy test_data/pod_service_mesh.json '{"exclusions":[{"control":"","images":[],"containers":[],"values":[],"acknowledgeControlDisabled":false}]}'
  [ "$status" -ne 0 ] || denied
  says_anywhere 'exclusions[0].control: empty; choose the control to forgive'
}

@test "modes: enforce privileged, warn restricted: accepted with PSA's warning" {
  run_policy test_data/pod_baseline_only.json '{"level":"privileged","warn":{"level":"restricted"},"audit":{"level":"baseline"},"requireReadOnlyRootFilesystem":false}'
  allowed
  says 'would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)'
  says 'enforce-policy'
  says 'privileged:latest'
  never_says 'audit-violations'
}

@test "modes: a refused request carries the audit violation and no warning" {
  run_policy test_data/pod_privileged.json '{"level":"baseline","warn":{"level":"restricted"},"audit":{"level":"restricted","version":"v1.30"}}'
  denied
  says 'would violate PodSecurity \"restricted:v1.30\"'
  no_warnings
}

# Host capabilities from a recorded session (the format of kwctl's
# --record-host-capabilities-interactions): kwctl replays it on the annotated module, whose
# metadata grants the namespace; this project's runner answers from it as policy-server would.
run_with_session() {
  local request="$1" settings="$2" session="$3"
  if command -v kwctl >/dev/null 2>&1; then
    run --separate-stderr kwctl run "$POLICY" -r "$request" --settings-json "$settings" \
      --allow-context-aware --replay-host-capabilities-interactions "$session"
  else
    run --separate-stderr target/debug/examples/wapc-run "$POLICY" "$request" "$settings" "$session"
  fi
  echo "policy answer to $request with $settings and $session (status $status): $output"
}

@test "levels from namespace labels: the namespace's enforce and warn labels apply" {
  run_with_session test_data/pod_privileged.json '{"levelsFromNamespaceLabels":true,"level":"privileged","requireReadOnlyRootFilesystem":false}' test_data/session_default_baseline.yml
  denied
  says 'violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)'
  run_with_session test_data/pod_baseline_only.json '{"levelsFromNamespaceLabels":true,"level":"privileged","requireReadOnlyRootFilesystem":false}' test_data/session_default_baseline.yml
  allowed
  says 'would violate PodSecurity \"restricted:v1.30\": allowPrivilegeEscalation != false'
}

@test "levels from namespace labels: a namespace that cannot be read refuses" {
  run_policy test_data/pod_compliant.json '{"levelsFromNamespaceLabels":true}'
  denied
  says 'cannot read the PodSecurity levels of this request'
}
