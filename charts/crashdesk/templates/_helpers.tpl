{{/*
Names are fixed, not derived from the release: the operator's Lease, its ServiceAccount and the
City CRD are one per cluster, and manifests/operator.ts (the cdk8s app) uses the same names.
*/}}
{{- define "crashdesk.operatorName" -}}crashdesk-operator{{- end }}

{{- define "crashdesk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "crashdesk.operatorName" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "crashdesk.commonLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: crashdesk
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* The operator's objects. */}}
{{- define "crashdesk.labels" -}}
app.kubernetes.io/name: {{ include "crashdesk.operatorName" . }}
app.kubernetes.io/component: operator
{{ include "crashdesk.commonLabels" . }}
{{- end }}

{{/* The alert rules and dashboards, which serve every site rather than the operator alone. */}}
{{- define "crashdesk.monitoringLabels" -}}
app.kubernetes.io/name: crashdesk
app.kubernetes.io/component: monitoring
{{ include "crashdesk.commonLabels" . }}
{{- end }}

{{- define "crashdesk.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* A ClusterRole or Role with rules generated from operator/rbac.ts, and its binding to the operator. */}}
{{- define "crashdesk.roleWithBinding" -}}
{{- $root := index . 0 }}{{ $kind := index . 1 }}{{ $name := index . 2 }}{{ $namespace := index . 3 }}{{ $rules := index . 4 -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ $kind }}
metadata:
  name: {{ $name }}
  {{- with $namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "crashdesk.labels" $root | nindent 4 }}
rules:
  {{- $root.Files.Get $rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: {{ $kind }}Binding
metadata:
  name: {{ $name }}
  {{- with $namespace }}
  namespace: {{ . }}
  {{- end }}
  labels:
    {{- include "crashdesk.labels" $root | nindent 4 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: {{ $kind }}
  name: {{ $name }}
subjects:
  - kind: ServiceAccount
    name: {{ include "crashdesk.operatorName" $root }}
    namespace: {{ $root.Release.Namespace }}
{{- end }}

{{/* The watched namespaces (JSON), failing when none is listed and the operator is not cluster-wide. */}}
{{- define "crashdesk.watchNamespaces" -}}
{{- if and (not .Values.clusterWide) (empty .Values.watchNamespaces) }}
{{- fail "watchNamespaces is empty: list the namespaces with Cities, or set clusterWide=true" }}
{{- end }}
{{- toJson .Values.watchNamespaces }}
{{- end }}
