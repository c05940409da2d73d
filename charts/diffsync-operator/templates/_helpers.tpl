{{/* Names, labels and the operator's RBAC rules, shared by the templates. */}}

{{- define "diffsync-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "diffsync-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "diffsync-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "diffsync-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "diffsync-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "diffsync-operator.labels" -}}
helm.sh/chart: {{ include "diffsync-operator.chart" . }}
{{ include "diffsync-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: diffsync-operator
{{- end }}

{{- define "diffsync-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "diffsync-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name: name the existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "diffsync-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "diffsync-operator.redisName" -}}
{{- printf "%s-redis" (include "diffsync-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The Secret holding the bundled Redis's admin password. */}}
{{- define "diffsync-operator.redisSecretName" -}}
{{- default (include "diffsync-operator.redisName" .) .Values.redis.auth.existingSecret }}
{{- end }}

{{/* The default Redis URL: the bundled one by its cluster-wide name, or redis.url. */}}
{{- define "diffsync-operator.redisUrl" -}}
{{- if and .Values.redis.enabled .Values.redis.url }}
{{- fail "redis.url is set while redis.enabled is true: set redis.enabled=false to use your own Redis, or clear redis.url" }}
{{- else if .Values.redis.enabled }}
{{- printf "redis://%s.%s.svc.%s:6379/0" (include "diffsync-operator.redisName" .) .Release.Namespace .Values.clusterDomain }}
{{- else }}
{{- if and .Values.redis.tls.existingSecret (not (hasPrefix "rediss://" .Values.redis.url)) }}
{{- fail "redis.tls.existingSecret is set but redis.url is not a rediss:// URL: use rediss:// or clear redis.tls" }}
{{- end }}
{{- required "redis.url: set the URL of your Redis (redis://host:6379/0), or set redis.enabled=true to bundle one" .Values.redis.url }}
{{- end }}
{{- end }}

{{- define "diffsync-operator.peering" -}}
{{- if gt (int .Values.replicas) 1 }}{{ include "diffsync-operator.fullname" . }}{{ end }}
{{- end }}

{{/*
What the operator uses, and nothing more; the same rules as deploy/rbac/role.yaml (a test
compares them; the reasons are written there): its SyncJobs (watch, patch, delete; status by
patch; no update anywhere), kopf's finalizer, the stage pods, Events, and `create` (only) on
Secrets for each job's own Redis user. It can read no Secret: pods read theirs by secretKeyRef.
*/}}
{{- define "diffsync-operator.rules" -}}
- apiGroups: ["diffsync.io"]
  resources: ["syncjobs"]
  verbs: ["get", "list", "watch", "patch", "delete"]
- apiGroups: ["diffsync.io"]
  resources: ["syncjobs/status"]
  verbs: ["get", "patch"]
- apiGroups: ["diffsync.io"]
  resources: ["syncjobs/finalizers"]
  verbs: ["update"]
- apiGroups: ["diffsync.io"]
  resources: ["syncjobs"]
  verbs: ["create"]  # a SyncSchedule starts its runs
- apiGroups: ["diffsync.io"]
  resources: ["syncschedules"]
  verbs: ["get", "list", "watch", "patch"]  # patch: kopf's finalizer and annotations
- apiGroups: ["diffsync.io"]
  resources: ["syncschedules/status"]
  verbs: ["patch"]
- apiGroups: ["diffsync.io"]
  resources: ["syncschedules/finalizers"]
  verbs: ["update"]  # runs are owned with blockOwnerDeletion
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["create", "get", "list", "watch", "delete"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* kopf peering (replicas > 1): the peering object's status holds the live replicas. */}}
{{- define "diffsync-operator.peeringRules" -}}
- apiGroups: ["kopf.dev"]
  resources: [{{ . | quote }}]
  verbs: ["get", "list", "watch", "patch"]
{{- end }}
