{{/*
Shared helpers of the Continuum chart. The per-service objects are in _service.tpl (one template set for every
service); this file has names, labels, images and the derived lists (routes, topics) read from files/.
*/}}

{{- define "continuum.chart" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* Labels every object carries. Call with (dict "root" $ "component" "<name>"). */}}
{{- define "continuum.labels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: continuum
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "continuum.chart" .root }}
{{- with .root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of a service's pods (stable across upgrades). */}}
{{- define "continuum.selectorLabels" -}}
app.kubernetes.io/name: {{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* The image of a service: its own repository/tag, else global registry/repository/<service>, tag global or appVersion. */}}
{{- define "continuum.image" -}}
{{- $g := .root.Values.global.image -}}
{{- $tag := default (default .root.Chart.AppVersion $g.tag) .svc.image.tag -}}
{{- if .svc.image.repository -}}
{{ .svc.image.repository }}:{{ $tag }}
{{- else -}}
{{- $repo := printf "%s/%s" $g.repository .name | trimPrefix "/" -}}
{{- if $g.registry -}}
{{ $g.registry }}/{{ $repo }}:{{ $tag }}
{{- else -}}
{{ $repo }}:{{ $tag }}
{{- end -}}
{{- end -}}
{{- end }}

{{/* deploy/gateway/routes.yaml (files/routes.yaml, a symlink) as a dict with `services` and `routes`. */}}
{{- define "continuum.routeTable" -}}
{{- $f := .Files.Get "files/routes.yaml" -}}
{{- if not $f -}}{{- fail "files/routes.yaml is missing: it must be the symlink to deploy/gateway/routes.yaml (see docs/operations.md, Kubernetes)" -}}{{- end -}}
{{- toJson ($f | fromYaml) -}}
{{- end }}

{{/* deploy/kafka/topics.yaml (files/topics.yaml, a symlink) as {"topics": [...]} */}}
{{- define "continuum.topics" -}}
{{- $f := .Files.Get "files/topics.yaml" -}}
{{- if not $f -}}{{- fail "files/topics.yaml is missing: it must be the symlink to deploy/kafka/topics.yaml (see docs/operations.md, Kubernetes)" -}}{{- end -}}
{{- toJson (dict "topics" ($f | fromYamlArray)) -}}
{{- end }}

{{/* The effective settings of one service: serviceDefaults deep-merged with services.<name>, plus its port. */}}
{{- define "continuum.serviceConfig" -}}
{{- $root := .root -}}
{{- $cfg := mergeOverwrite (deepCopy $root.Values.serviceDefaults) (deepCopy .svc) -}}
{{- $table := include "continuum.routeTable" $root | fromJson -}}
{{- range $table.services -}}
{{- if eq .name $.name -}}
{{- if hasKey $.svc "port" -}}{{- fail (printf "services.%s.port: the port of %s comes from deploy/gateway/routes.yaml; remove it from values" $.name $.name) -}}{{- end -}}
{{- $_ := set $cfg "port" .port -}}
{{- $_ := set $cfg "routed" true -}}
{{- end -}}
{{- end -}}
{{- if not (hasKey $cfg "port") -}}{{- fail (printf "services.%s: not in deploy/gateway/routes.yaml, so it needs a port in values" .name) -}}{{- end -}}
{{- toJson $cfg -}}
{{- end }}

{{- define "continuum.kafkaBootstrap" -}}
{{- if .Values.kafka.strimzi.enabled -}}
{{ .Values.kafka.strimzi.clusterName }}-kafka-bootstrap:9093
{{- else -}}
{{ .Values.kafka.external.bootstrapServers }}
{{- end -}}
{{- end }}

{{- define "continuum.keycloakUrl" -}}
{{- if .Values.keycloak.internalUrl -}}
{{ .Values.keycloak.internalUrl }}
{{- else if .Values.keycloak.operator.enabled -}}
http://{{ .Values.keycloak.operator.name }}-service:8080
{{- else -}}
{{ .Values.keycloak.external.url }}
{{- end -}}
{{- end }}

{{/* Name of the CloudNativePG cluster of a service. */}}
{{- define "continuum.cnpgName" -}}
{{ .root.Release.Name }}-{{ .name }}-db
{{- end }}
