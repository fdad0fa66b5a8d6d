// @ts-check
// The HTTP API's reference: Swagger UI over the OpenAPI document this gateway serves at /docs-json.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = SwaggerUIBundle({
    url: '/docs-json',
    dom_id: '#swagger-ui',
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    // Nothing leaves this origin: no online validator badge.
    validatorUrl: null,
    persistAuthorization: false,
  });
});
