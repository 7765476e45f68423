// Where the web app finds Keycloak. The local stack (deploy/local/up.sh) serves this file as it is; a deployment
// (the Helm chart) replaces it with its own addresses.
window.continuumConfig = {
  keycloakUrl: 'http://localhost:8180',
  realm: 'continuum',
  clientId: 'continuum-web',
};
