// The API reference: Swagger UI (public/docs/vendor/, from swagger-ui-dist) rendering this service's
// OpenAPI document. Nothing leaves the page's origin: no validator badge, no remote config.
if (typeof window.SwaggerUIBundle !== "function") {
  document.getElementById("docs-missing").hidden = false;
} else {
  window.ui = window.SwaggerUIBundle({
    url: "/v1/openapi.json",
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    filter: true,
    // The default would send the document to validator.swagger.io for a badge.
    validatorUrl: null,
    // `?url=` and `?configUrl=` in the page's address are ignored: this page shows this service's document only.
    queryConfigEnabled: false,
  });
}
