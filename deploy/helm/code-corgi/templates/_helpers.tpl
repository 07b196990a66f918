{{/*
Names and labels.
*/}}
{{- define "code-corgi.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* "<release>-<chart>", cut so that "-<process>-<suffix>" still fits in 63 characters. */}}
{{- define "code-corgi.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "code-corgi.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of everything; call with (dict "root" $ "component" "gateway"). */}}
{{- define "code-corgi.labels" -}}
helm.sh/chart: {{ include "code-corgi.chart" .root }}
{{ include "code-corgi.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: code-corgi
{{- end -}}

{{/* The labels that select one process's pods; without a component: every pod of the release. */}}
{{- define "code-corgi.selectorLabels" -}}
app.kubernetes.io/name: {{ include "code-corgi.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* The process's ServiceAccount: one per process, so each can be bound to its own Vault role. */}}
{{- define "code-corgi.serviceAccountName" -}}
{{ include "code-corgi.fullname" .root }}-{{ .component }}
{{- end -}}

{{- define "code-corgi.listenerComponent" -}}
{{- if eq .Values.mode "embedded" -}}server{{- else -}}gateway{{- end -}}
{{- end -}}

{{/* repository@digest when a digest is given, else repository:tag (the appVersion by default). */}}
{{- define "code-corgi.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "code-corgi.dataPath" -}}/var/lib/corgi{{- end -}}
{{- define "code-corgi.configPath" -}}/etc/corgi{{- end -}}
{{- define "code-corgi.tlsPath" -}}/var/run/secrets/corgi-listener-tls{{- end -}}

{{/*
The regions that have secret files of their own (a directory "<mountPath>-<region>"), from
either source: existingSecret.regions, or Vault files with a region. A dict region -> true.
*/}}
{{- define "code-corgi.secretRegions" -}}
{{- $regions := dict -}}
{{- if eq .Values.secrets.source "existingSecret" -}}
{{- range $region, $names := .Values.secrets.existingSecret.regions -}}
{{- $_ := set $regions $region true -}}
{{- end -}}
{{- else -}}
{{- range $component, $files := .Values.secrets.vault.files -}}
{{- range $files -}}
{{- if .region -}}{{- $_ := set $regions .region true -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $regions -}}
{{- end -}}

{{/*
The settings file: the operator's settings with the keys the chart owns written in.
*/}}
{{- define "code-corgi.settings" -}}
{{- $s := deepCopy (.Values.settings | default dict) -}}
{{- $server := deepCopy (get $s "server" | default dict) -}}
{{- $_ := set $server "host" "0.0.0.0" -}}
{{- $_ := set $server "port" (int .Values.listener.port) -}}
{{- if .Values.listener.tls.existingSecret -}}
{{- $tlsPath := include "code-corgi.tlsPath" . -}}
{{- $_ := set $server "tls" (dict "certificate" (printf "%s/tls.crt" $tlsPath) "key" (printf "%s/tls.key" $tlsPath)) -}}
{{- end -}}
{{- $_ := set $s "server" $server -}}
{{- $_ := set $s "secrets" (dict "directory" .Values.secrets.mountPath) -}}
{{- $data := include "code-corgi.dataPath" . -}}
{{- if eq .Values.mode "embedded" -}}
{{- $_ := set $s "storage" (dict "database" (printf "%s/corgi.sqlite" $data) "objects" (printf "%s/objects" $data)) -}}
{{- end -}}
{{- $secretRegions := include "code-corgi.secretRegions" . | fromJson -}}
{{- $residency := get $s "residency" | default dict -}}
{{- $regions := get $residency "regions" | default dict -}}
{{- range $region := keys $secretRegions | sortAlpha -}}
{{- if not (hasKey $regions $region) -}}
{{- fail (printf "secrets for region %s are given, but settings.residency.regions.%s names no stores for it" $region $region) -}}
{{- end -}}
{{- end -}}
{{- range $region, $stores := $regions -}}
{{- $copy := deepCopy ($stores | default dict) -}}
{{- if eq $.Values.mode "embedded" -}}
{{- $_ := set $copy "storage" (dict "database" (printf "%s/regions/%s/corgi.sqlite" $data $region) "objects" (printf "%s/regions/%s/objects" $data $region)) -}}
{{- end -}}
{{- if hasKey $secretRegions $region -}}
{{- $_ := set $copy "secrets" (dict "directory" (printf "%s-%s" $.Values.secrets.mountPath $region)) -}}
{{- end -}}
{{- $_ := set $regions $region $copy -}}
{{- end -}}
{{- if $regions -}}
{{- $_ := set $residency "regions" $regions -}}
{{- end -}}
{{- if $residency -}}
{{- $_ := set $s "residency" $residency -}}
{{- end -}}
{{- toYaml $s -}}
{{- end -}}

{{/*
The pod's security context. Not configurable beyond the ids: non-root, RuntimeDefault seccomp.
*/}}
{{- define "code-corgi.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int .Values.podSecurity.runAsUser }}
runAsGroup: {{ int .Values.podSecurity.runAsGroup }}
fsGroup: {{ int .Values.podSecurity.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "code-corgi.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ int .Values.podSecurity.runAsUser }}
runAsGroup: {{ int .Values.podSecurity.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Annotations of a pod template: the settings' checksum (a change rolls the pods) and, with
secrets from Vault, the Agent Injector's. Call with (dict "root" $ "component" "worker" "job" false).
*/}}
{{- define "code-corgi.podAnnotations" -}}
{{- $root := .root -}}
checksum/settings: {{ include "code-corgi.settings" $root | sha256sum }}
{{- if eq $root.Values.secrets.source "vault" }}
{{- $vault := $root.Values.secrets.vault }}
vault.hashicorp.com/agent-inject: "true"
vault.hashicorp.com/role: {{ get $vault.roles .component | quote }}
{{- if $vault.authPath }}
vault.hashicorp.com/auth-path: {{ $vault.authPath | quote }}
{{- end }}
{{- if $vault.namespace }}
vault.hashicorp.com/namespace: {{ $vault.namespace | quote }}
{{- end }}
vault.hashicorp.com/agent-inject-containers: corgi
vault.hashicorp.com/agent-service-account-token-volume-name: vault-token
vault.hashicorp.com/agent-set-security-context: "true"
vault.hashicorp.com/agent-run-as-same-user: "true"
vault.hashicorp.com/secret-volume-path: {{ $root.Values.secrets.mountPath | quote }}
{{- if .job }}
vault.hashicorp.com/agent-pre-populate-only: "true"
{{- end }}
{{- range (get $vault.files .component) }}
{{- $id := .name }}
{{- if .region }}{{ $id = printf "%s-%s" .region .name }}{{ end }}
{{- $field := ternary (printf "index .Data.data %q" .key) (printf "index .Data %q" .key) (eq (int $vault.kvVersion) 2) }}
vault.hashicorp.com/agent-inject-secret-{{ $id }}: {{ .path | quote }}
vault.hashicorp.com/agent-inject-template-{{ $id }}: {{ default (printf "{{- with secret %q -}}{{ %s }}{{- end -}}" .path $field) .template | quote }}
vault.hashicorp.com/agent-inject-file-{{ $id }}: {{ .name | quote }}
vault.hashicorp.com/agent-inject-perms-{{ $id }}: "0400"
{{- if .region }}
vault.hashicorp.com/secret-volume-path-{{ $id }}: {{ printf "%s-%s" $root.Values.secrets.mountPath .region | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Everything a corgi pod shares: its ServiceAccount (no token mounted), no service links (their
variables would be environment corgi reads nothing from, and a name with KEY or TOKEN in it
would make corgi refuse to start), the security context, the image pull secrets and scheduling.
Call with (dict "root" $ "component" "gateway" "values" .Values.gateway).
*/}}
{{- define "code-corgi.podCommon" -}}
serviceAccountName: {{ include "code-corgi.serviceAccountName" . }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- include "code-corgi.podSecurityContext" .root | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
The container's environment: where temporary files and the rule cache go. Never a secret.
*/}}
{{- define "code-corgi.env" -}}
- name: TMPDIR
  value: /tmp
- name: CORGI_CACHE_DIR
  value: /tmp/corgi-cache
{{- end -}}

{{/*
Volume mounts of a corgi container: settings (read-only), secrets (read-only files), scratch.
Call with (dict "root" $ "component" "gateway" "settingsConfigMap" "<name>").
*/}}
{{- define "code-corgi.volumeMounts" -}}
{{- $root := .root -}}
- name: settings
  mountPath: {{ include "code-corgi.configPath" $root }}
  readOnly: true
- name: scratch
  mountPath: /tmp
{{- if eq $root.Values.secrets.source "existingSecret" }}
- name: secrets
  mountPath: {{ $root.Values.secrets.mountPath }}
  readOnly: true
{{- range $region, $names := $root.Values.secrets.existingSecret.regions }}
{{- if get $names $.component }}
- name: secrets-{{ $region }}
  mountPath: {{ printf "%s-%s" $root.Values.secrets.mountPath $region }}
  readOnly: true
{{- end }}
{{- end }}
{{- end }}
{{- if and $root.Values.listener.tls.existingSecret (has .component (list "server" "gateway")) }}
- name: listener-tls
  mountPath: {{ include "code-corgi.tlsPath" $root }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "code-corgi.volumes" -}}
{{- $root := .root -}}
- name: settings
  configMap:
    name: {{ .settingsConfigMap }}
    defaultMode: 292 {{- /* 0444 */}}
- name: scratch
  emptyDir:
    sizeLimit: {{ $root.Values.scratchSizeLimit }}
{{- if eq $root.Values.secrets.source "existingSecret" }}
- name: secrets
  secret:
    secretName: {{ get $root.Values.secrets.existingSecret .component }}
    defaultMode: 288 {{- /* 0440: the owner and fsGroup read, nobody writes */}}
{{- range $region, $names := $root.Values.secrets.existingSecret.regions }}
{{- with get $names $.component }}
- name: secrets-{{ $region }}
  secret:
    secretName: {{ . }}
    defaultMode: 288
{{- end }}
{{- end }}
{{- else }}
{{- /* Only the Vault agent mounts this token (the injector falls back to its own mount path
     when no container of ours mounts it); corgi's container never sees it. */}}
- name: vault-token
  projected:
    sources:
      - serviceAccountToken:
          audience: {{ $root.Values.secrets.vault.tokenAudience }}
          expirationSeconds: {{ int $root.Values.secrets.vault.tokenExpirationSeconds }}
          path: token
{{- end }}
{{- if and $root.Values.listener.tls.existingSecret (has .component (list "server" "gateway")) }}
- name: listener-tls
  secret:
    secretName: {{ $root.Values.listener.tls.existingSecret }}
    defaultMode: 288
{{- end }}
{{- end -}}

{{/*
Probes on the listener's own endpoints: GET /healthz (alive) and GET /readyz (its stores
answer). corgi serve is ready when /readyz is: its one store is SQLite. A gateway is ready when it
listens (/healthz): its /readyz also fails while NATS is away, and a gateway out of the Service
could not do what it is built to do then, accept webhooks and answer 202 "deferred" while its
ledger keeps them for the relay. Call with (dict "root" $ "component" "gateway").
*/}}
{{- define "code-corgi.probes" -}}
{{- $scheme := ternary "HTTPS" "HTTP" (not (empty .root.Values.listener.tls.existingSecret)) -}}
{{- $ready := ternary "/readyz" "/healthz" (eq .component "server") -}}
startupProbe:
  httpGet: {path: /healthz, port: http, scheme: {{ $scheme }}}
  periodSeconds: 5
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /healthz, port: http, scheme: {{ $scheme }}}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: {{ $ready }}, port: http, scheme: {{ $scheme }}}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Egress rules for the named destinations of networkPolicy.egress that list peers (DNS on
UDP and TCP, the others on TCP). Call with (dict "root" $ "destinations" (list "dns" "postgres")). */}}
{{- define "code-corgi.egressRules" -}}
{{- $egress := .root.Values.networkPolicy.egress -}}
{{- range $name := .destinations }}
{{- $d := get $egress $name }}
{{- if $d.to }}
- to:
    {{- toYaml $d.to | nindent 4 }}
  ports:
    {{- range $d.ports }}
    {{- if eq $name "dns" }}
    - {port: {{ int . }}, protocol: UDP}
    {{- end }}
    - {port: {{ int . }}, protocol: TCP}
    {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The rules above as a block (with Vault's for the injected agent when secrets come from
Vault), or [] (nothing allowed) when no destination lists peers. */}}
{{- define "code-corgi.egressBlock" -}}
{{- $destinations := .destinations -}}
{{- if eq .root.Values.secrets.source "vault" -}}
{{- $destinations = append $destinations "vault" -}}
{{- end -}}
{{- $rules := include "code-corgi.egressRules" (dict "root" .root "destinations" $destinations) | trim -}}
{{- if $rules -}}
{{ $rules }}
{{- else -}}
[]
{{- end -}}
{{- end -}}
