{{/*
The ONE template set of a Continuum service. templates/services.yaml calls "continuum.service" for every enabled
entry of `services`; nothing here is specific to one service: what differs (port, database, Kafka access, secrets,
autoscaling metric) comes from values (and the port from deploy/gateway/routes.yaml).

Context of every template below: (dict "root" $ "name" <service name> "cfg" <effective settings>).
*/}}

{{- define "continuum.service" -}}
{{ include "continuum.service.configmap" . }}
---
{{ include "continuum.service.serviceaccount" . }}
---
{{ include "continuum.service.deployment" . }}
---
{{ include "continuum.service.service" . }}
{{- if .cfg.autoscaling.enabled }}
---
{{ include "continuum.service.hpa" . }}
{{- end }}
{{- if .cfg.pdb.enabled }}
---
{{ include "continuum.service.pdb" . }}
{{- end }}
{{- if .root.Values.networkPolicy.enabled }}
---
{{ include "continuum.service.networkpolicy" . }}
{{- end }}
{{- if .root.Values.serviceMonitor.enabled }}
---
{{ include "continuum.service.servicemonitor" . }}
{{- end }}
{{- end }}

{{- define "continuum.service.metadata" -}}
name: {{ .name }}
namespace: {{ .root.Release.Namespace }}
labels:
  {{- include "continuum.labels" (dict "root" .root "component" .name) | nindent 2 }}
{{- end }}

{{/* Non-secret settings: environment variables Quarkus maps onto its config keys. */}}
{{- define "continuum.service.configmap" -}}
{{- $v := .root.Values -}}
apiVersion: v1
kind: ConfigMap
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
data:
  QUARKUS_HTTP_PORT: {{ .cfg.port | quote }}
  JDK_JAVA_OPTIONS: {{ printf "-XX:MaxRAMPercentage=%v -Djava.io.tmpdir=/tmp -Dvertx.cacheDirBase=/tmp/vertx-cache %s" .cfg.maxRamPercentage .cfg.javaOpts | trim | quote }}
  {{- if .cfg.database }}
  CONTINUUM_DB_NAME: {{ .cfg.database | quote }}
  {{- if $v.postgresql.cnpg.enabled }}
  CONTINUUM_DB_HOST: {{ printf "%s-rw" (include "continuum.cnpgName" .) | quote }}
  CONTINUUM_DB_PORT: "5432"
  {{- else }}
  CONTINUUM_DB_HOST: {{ $v.postgresql.external.host | quote }}
  CONTINUUM_DB_PORT: {{ $v.postgresql.external.port | quote }}
  {{- end }}
  QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE: {{ $v.postgresql.poolMaxSize | quote }}
  {{- end }}
  {{- if or .cfg.kafka.produces .cfg.kafka.consumes }}
  KAFKA_BOOTSTRAP_SERVERS: {{ include "continuum.kafkaBootstrap" .root | quote }}
  {{- if $v.kafka.strimzi.enabled }}
  KAFKA_SSL_TRUSTSTORE_TYPE: PEM
  KAFKA_SSL_TRUSTSTORE_LOCATION: /etc/continuum/kafka-ca/ca.crt
  {{- if eq $v.kafka.strimzi.authentication "scram-sha-512" }}
  KAFKA_SECURITY_PROTOCOL: SASL_SSL
  KAFKA_SASL_MECHANISM: SCRAM-SHA-512
  {{- else }}
  KAFKA_SECURITY_PROTOCOL: SSL
  KAFKA_SSL_KEYSTORE_TYPE: PKCS12
  KAFKA_SSL_KEYSTORE_LOCATION: /etc/continuum/kafka-user/user.p12
  {{- end }}
  {{- end }}
  {{- end }}
  {{- if .cfg.database }}
  CONTINUUM_KEYCLOAK_URL: {{ include "continuum.keycloakUrl" .root | quote }}
  {{- if $v.keycloak.operator.enabled }}
  QUARKUS_OIDC_TOKEN_ISSUER: {{ printf "https://%s/realms/continuum" $v.keycloak.operator.hostname | quote }}
  {{- if .cfg.keycloakClientSecret }}
  CONTINUUM_AUTH_BACKCHANNEL_ISSUER: {{ printf "https://%s/realms/continuum" $v.keycloak.operator.hostname | quote }}
  {{- end }}
  {{- end }}
  {{- end }}
  QUARKUS_LOG_CONSOLE_JSON_ENABLED: {{ $v.observability.jsonLogs | quote }}
  {{- with $v.observability.otlpEndpoint }}
  QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
  {{- end }}
  {{- range $k, $val := .cfg.env }}
  {{ $k }}: {{ $val | quote }}
  {{- end }}
{{- end }}

{{- define "continuum.service.serviceaccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
  {{- with .root.Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}

{{- define "continuum.service.deployment" -}}
{{- $v := .root.Values -}}
{{- $sel := include "continuum.selectorLabels" (dict "root" .root "component" .name) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
spec:
  {{- if not .cfg.autoscaling.enabled }}
  replicas: {{ .cfg.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- $sel | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  template:
    metadata:
      labels:
        {{- include "continuum.labels" (dict "root" .root "component" .name) | nindent 8 }}
      annotations:
        checksum/config: {{ include "continuum.service.configmap" . | sha256sum }}
        {{- with .cfg.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ if $v.serviceAccount.create }}{{ .name }}{{ else }}default{{ end }}
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: {{ .cfg.terminationGracePeriodSeconds }}
      {{- with $v.global.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 185
        runAsGroup: 185
        fsGroup: 185
        seccompProfile: { type: RuntimeDefault }
      {{- if .cfg.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: {{ $.cfg.topologySpread.maxSkew }}
          topologyKey: {{ . }}
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- $sel | nindent 14 }}
        {{- end }}
      {{- end }}
      {{- if eq .cfg.antiAffinity "soft" }}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- $sel | nindent 20 }}
      {{- else if eq .cfg.antiAffinity "hard" }}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector:
                matchLabels:
                  {{- $sel | nindent 18 }}
      {{- end }}
      {{- with .cfg.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .cfg.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "continuum.image" (dict "root" .root "name" .name "svc" .cfg) | quote }}
          imagePullPolicy: {{ $v.global.image.pullPolicy }}
          ports:
            - { name: http, containerPort: {{ .cfg.port }}, protocol: TCP }
          envFrom:
            - configMapRef: { name: {{ .name }} }
            {{- if and (not $v.kafka.strimzi.enabled) $v.kafka.external.secret (or .cfg.kafka.produces .cfg.kafka.consumes) }}
            - secretRef: { name: {{ $v.kafka.external.secret }} }
            {{- end }}
            {{- range .cfg.envFromSecrets }}
            - secretRef: { name: {{ . }} }
            {{- end }}
          env:
            {{- if .cfg.database }}
            - name: QUARKUS_DATASOURCE_USERNAME
              valueFrom: { secretKeyRef: { name: {{ include "continuum.service.dbSecret" . }}, key: username } }
            - name: QUARKUS_DATASOURCE_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ include "continuum.service.dbSecret" . }}, key: password } }
            {{- end }}
            {{- if and $v.kafka.strimzi.enabled (or .cfg.kafka.produces .cfg.kafka.consumes) }}
            {{- if eq $v.kafka.strimzi.authentication "scram-sha-512" }}
            - name: KAFKA_SASL_JAAS_CONFIG
              valueFrom: { secretKeyRef: { name: {{ include "continuum.kafkaUserName" . }}, key: sasl.jaas.config } }
            {{- else }}
            - name: KAFKA_SSL_KEYSTORE_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ include "continuum.kafkaUserName" . }}, key: user.password } }
            {{- end }}
            {{- end }}
            {{- if .cfg.keycloakClientSecret }}
            - name: CONTINUUM_SERVICE_CLIENT_SECRET
              valueFrom: { secretKeyRef: { name: {{ $v.keycloak.clientSecret.name }}, key: {{ $v.keycloak.clientSecret.key }} } }
            {{- end }}
          resources:
            {{- toYaml .cfg.resources | nindent 12 }}
          securityContext:
            runAsNonRoot: true
            runAsUser: 185
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            privileged: false
            capabilities: { drop: [ALL] }
            seccompProfile: { type: RuntimeDefault }
          startupProbe:
            httpGet: { path: /q/health/started, port: http }
            {{- toYaml .cfg.probes.startup | nindent 12 }}
          livenessProbe:
            httpGet: { path: /q/health/live, port: http }
            {{- toYaml .cfg.probes.liveness | nindent 12 }}
          readinessProbe:
            httpGet: { path: /q/health/ready, port: http }
            {{- toYaml .cfg.probes.readiness | nindent 12 }}
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            {{- if and $v.kafka.strimzi.enabled (or .cfg.kafka.produces .cfg.kafka.consumes) }}
            - { name: kafka-ca, mountPath: /etc/continuum/kafka-ca, readOnly: true }
            {{- if eq $v.kafka.strimzi.authentication "tls" }}
            - { name: kafka-user, mountPath: /etc/continuum/kafka-user, readOnly: true }
            {{- end }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 256Mi }
        {{- if and $v.kafka.strimzi.enabled (or .cfg.kafka.produces .cfg.kafka.consumes) }}
        - name: kafka-ca
          secret: { secretName: {{ $v.kafka.strimzi.clusterName }}-cluster-ca-cert, items: [ { key: ca.crt, path: ca.crt } ] }
        {{- if eq $v.kafka.strimzi.authentication "tls" }}
        - name: kafka-user
          secret: { secretName: {{ include "continuum.kafkaUserName" . }}, items: [ { key: user.p12, path: user.p12 } ] }
        {{- end }}
        {{- end }}
{{- end }}

{{- define "continuum.service.dbSecret" -}}
{{- if .root.Values.postgresql.cnpg.enabled -}}
{{ include "continuum.cnpgName" . }}-app
{{- else -}}
{{ .root.Values.postgresql.external.secretPrefix }}{{ .name }}
{{- end -}}
{{- end }}

{{/* KafkaUser name = SCRAM user name = name of the Secret Strimzi writes the credentials to. */}}
{{- define "continuum.kafkaUserName" -}}
{{ .root.Release.Name }}-{{ .name }}
{{- end }}

{{- define "continuum.service.service" -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
spec:
  type: ClusterIP
  selector:
    {{- include "continuum.selectorLabels" (dict "root" .root "component" .name) | nindent 4 }}
  ports:
    - { name: http, port: {{ .cfg.port }}, targetPort: http, protocol: TCP, appProtocol: http }
{{- end }}

{{- define "continuum.service.hpa" -}}
{{- $a := .cfg.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: {{ .name }} }
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    {{- if $a.metric }}
    - type: Pods
      pods:
        metric: { name: {{ $a.metric.name }} }
        target: { type: AverageValue, averageValue: {{ $a.metric.averageValue | quote }} }
    {{- else }}
    - type: Resource
      resource:
        name: cpu
        target: { type: Utilization, averageUtilization: {{ $a.targetCPUUtilizationPercentage }} }
    {{- end }}
  behavior:
    # Scale down slowly: a replica that goes away sends its devices (sockets) to reconnect elsewhere.
    scaleDown:
      stabilizationWindowSeconds: 600
      policies: [ { type: Pods, value: 1, periodSeconds: 120 } ]
{{- end }}

{{- define "continuum.service.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
spec:
  maxUnavailable: {{ .cfg.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "continuum.selectorLabels" (dict "root" .root "component" .name) | nindent 6 }}
{{- end }}

{{/* Ingress: the gateway's proxy pods (+ Prometheus; + Keycloak to auth-service for back-channel logout; + the
     simulator to billing-sync-service). Egress: DNS, Kafka, PostgreSQL, Keycloak, listed external CIDRs. */}}
{{- define "continuum.service.networkpolicy" -}}
{{- $v := .root.Values -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "continuum.service.metadata" . | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "continuum.selectorLabels" (dict "root" .root "component" .name) | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if .cfg.routed }}
    - ports: [ { port: http, protocol: TCP } ]
      from:
        {{- if $v.gateway.proxyNamespaces }}
        - namespaceSelector:
            matchExpressions:
              - { key: kubernetes.io/metadata.name, operator: In, values: {{ toJson $v.gateway.proxyNamespaces }} }
          {{- with $v.gateway.proxyPodLabels }}
          podSelector:
            matchLabels:
              {{- toYaml . | nindent 14 }}
          {{- end }}
        {{- else }}
        - podSelector:
            matchLabels:
              {{- toYaml $v.gateway.proxyPodLabels | nindent 14 }}
        {{- end }}
    {{- end }}
    {{- if $v.networkPolicy.monitoringNamespace }}
    - ports: [ { port: http, protocol: TCP } ]
      from:
        - namespaceSelector:
            matchLabels: { kubernetes.io/metadata.name: {{ $v.networkPolicy.monitoringNamespace }} }
    {{- end }}
    {{- if and .cfg.keycloakClientSecret $v.keycloak.operator.enabled }}
    - ports: [ { port: http, protocol: TCP } ]
      from:
        - podSelector:
            matchLabels: { app: keycloak, app.kubernetes.io/instance: {{ $v.keycloak.operator.name }} }
    {{- end }}
    {{- if or (eq .name "billing-sync-service") (eq .name "billing-provider-simulator") }}
    - ports: [ { port: http, protocol: TCP } ]
      from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ if eq .name "billing-sync-service" }}billing-provider-simulator{{ else }}billing-sync-service{{ end }}
              app.kubernetes.io/instance: {{ .root.Release.Name }}
    {{- end }}
  egress:
    - ports: [ { port: 53, protocol: UDP }, { port: 53, protocol: TCP } ]
      to:
        - namespaceSelector: {}
          podSelector:
            matchLabels: { k8s-app: kube-dns }
    {{- if or .cfg.kafka.produces .cfg.kafka.consumes }}
    {{- if $v.kafka.strimzi.enabled }}
    - ports: [ { port: 9093, protocol: TCP } ]
      to:
        - podSelector:
            matchLabels: { strimzi.io/cluster: {{ $v.kafka.strimzi.clusterName }}, strimzi.io/kind: Kafka }
    {{- end }}
    {{- end }}
    {{- if .cfg.database }}
    {{- if $v.postgresql.cnpg.enabled }}
    - ports: [ { port: 5432, protocol: TCP } ]
      to:
        - podSelector:
            matchLabels: { cnpg.io/cluster: {{ include "continuum.cnpgName" . }} }
    {{- else }}
    - ports: [ { port: {{ $v.postgresql.external.port }}, protocol: TCP } ]
      to:
        - podSelector: {}
    {{- end }}
    {{- if $v.keycloak.operator.enabled }}
    - ports: [ { port: 8080, protocol: TCP } ]
      to:
        - podSelector:
            matchLabels: { app: keycloak, app.kubernetes.io/instance: {{ $v.keycloak.operator.name }} }
    {{- end }}
    {{- end }}
    {{- if eq .name "billing-provider-simulator" }}
    - ports: [ { port: http, protocol: TCP } ]
      to:
        - podSelector:
            matchLabels: { app.kubernetes.io/name: billing-sync-service, app.kubernetes.io/instance: {{ .root.Release.Name }} }
    {{- end }}
    {{- with $v.networkPolicy.externalEgressCIDRs }}
    - to:
        {{- range . }}
        - ipBlock: { cidr: {{ . }} }
        {{- end }}
    {{- end }}
{{- end }}

{{- define "continuum.service.servicemonitor" -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "continuum.labels" (dict "root" .root "component" .name) | nindent 4 }}
    {{- with .root.Values.serviceMonitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "continuum.selectorLabels" (dict "root" .root "component" .name) | nindent 6 }}
  endpoints:
    - { port: http, path: /q/metrics, interval: {{ .root.Values.serviceMonitor.interval }} }
{{- end }}
