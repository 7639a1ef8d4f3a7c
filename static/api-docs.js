// The API page (/api/docs): renders /api/v1/openapi.json as a list of operations, each with its
// parameters, request body schema and responses. No framework, no CDN (the CSP allows 'self').
"use strict";
(function () {
  var doc = null;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function resolve(s, depth) {
    if (!s || depth > 8) return s;
    if (s.$ref) {
      var name = s.$ref.split("/").pop();
      return resolve(doc.components.schemas[name], depth + 1);
    }
    var out = {};
    Object.keys(s).forEach(function (k) {
      var v = s[k];
      if (k === "properties") {
        out.properties = {};
        Object.keys(v).forEach(function (p) { out.properties[p] = resolve(v[p], depth + 1); });
      } else if (k === "items" || k === "allOf" || k === "oneOf" || k === "anyOf") {
        out[k] = Array.isArray(v) ? v.map(function (x) { return resolve(x, depth + 1); }) : resolve(v, depth + 1);
      } else {
        out[k] = v;
      }
    });
    return out;
  }
  function render() {
    var root = document.getElementById("api-ops");
    var q = (document.getElementById("api-filter").value || "").toLowerCase();
    root.textContent = "";
    Object.keys(doc.paths).sort().forEach(function (path) {
      var item = doc.paths[path];
      Object.keys(item).forEach(function (method) {
        var op = item[method];
        if (q && (method + " " + path + " " + op.summary).toLowerCase().indexOf(q) < 0) return;
        var d = el("details", null, "api-op");
        var s = el("summary");
        s.appendChild(el("code", method.toUpperCase() + " /api/v1" + path));
        s.appendChild(document.createTextNode(" " + (op.summary || "")));
        d.appendChild(s);
        var sec = (op.security || []).map(function (r) { return Object.keys(r).join(" + "); }).join(" or ");
        d.appendChild(el("p", "Auth · 身份: " + (sec || "none (public) · 无需登录")));
        if (op.parameters && op.parameters.length) {
          d.appendChild(el("h3", "Parameters · 参数"));
          var ul = el("ul");
          op.parameters.forEach(function (p) {
            ul.appendChild(el("li", p.name + " (" + p.in + (p.required ? ", required" : "") + "): " +
              JSON.stringify(p.schema || {}) + (p.description ? " — " + p.description : "")));
          });
          d.appendChild(ul);
        }
        if (op.requestBody) {
          d.appendChild(el("h3", "Body · 请求内容"));
          Object.keys(op.requestBody.content).forEach(function (media) {
            var c = op.requestBody.content[media];
            d.appendChild(el("p", media));
            d.appendChild(el("pre", JSON.stringify(resolve(c.schema, 0), null, 2)));
            if (c.example) {
              d.appendChild(el("p", "Example · 示例"));
              d.appendChild(el("pre", JSON.stringify(c.example, null, 2)));
            }
          });
        }
        d.appendChild(el("h3", "Responses · 响应"));
        var rl = el("ul");
        Object.keys(op.responses).forEach(function (code) {
          rl.appendChild(el("li", code + ": " + op.responses[code].description));
        });
        d.appendChild(rl);
        root.appendChild(d);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    fetch("/api/v1/openapi.json").then(function (r) { return r.json(); }).then(function (j) {
      doc = j;
      render();
      document.getElementById("api-filter").addEventListener("input", render);
    });
  });
})();
