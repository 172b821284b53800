import { PLAYGROUND_EXAMPLES } from './examples';

/**
 * The playground page: GraphiQL 3 with React 18, all loaded from the gateway itself (no CDN), plus
 * a token bar. `devTokens` shows the "mint" form, which only a development gateway serves.
 */
export function playgroundHtml(options: { graphqlPath: string; assetsPath: string; devTokens: boolean; roles: readonly string[] }): string {
  const config = JSON.stringify({ graphqlPath: options.graphqlPath, devTokens: options.devTokens, examples: PLAYGROUND_EXAMPLES }).replace(/</g, '\\u003c');
  const roleOptions = options.roles.map((r) => `<option value="${r}"${r === 'county_info_admin' ? ' selected' : ''}>${r}</option>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Teacher platform · GraphQL playground</title>
<link rel="stylesheet" href="${options.assetsPath}graphiql.min.css">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  #token-bar { display: flex; gap: 8px; align-items: center; padding: 6px 10px; border-bottom: 1px solid #ddd; font-size: 13px; flex-wrap: wrap; }
  #token-bar input[type=text] { font-family: monospace; }
  #token { flex: 1; min-width: 240px; }
  #graphiql { flex: 1; min-height: 0; }
  .hint { color: #666; }
</style>
</head>
<body>
<div id="token-bar">
  <label for="token">Bearer token</label>
  <input id="token" type="text" placeholder="paste a token, or mint one (development)" autocomplete="off">
  <span id="mint"${options.devTokens ? '' : ' hidden'}>
    <select id="mint-role" aria-label="role">${roleOptions}</select>
    <input id="mint-org" type="text" size="12" value="420111" aria-label="organisation code">
    <button id="mint-button" type="button">Mint dev token</button>
  </span>
  <span id="token-status" class="hint" role="status"></span>
</div>
<div id="graphiql">Loading…</div>
<script src="${options.assetsPath}react.production.min.js"></script>
<script src="${options.assetsPath}react-dom.production.min.js"></script>
<script src="${options.assetsPath}graphiql.min.js"></script>
<script>
(function () {
  var config = ${config};
  var tokenInput = document.getElementById('token');
  var status = document.getElementById('token-status');
  tokenInput.value = sessionStorage.getItem('playground-token') || '';

  // A new fetcher makes GraphiQL fetch the schema again: the docs need a token to load.
  function makeFetcher() { return function fetcher(params, opts) {
    var headers = { 'content-type': 'application/json', 'apollo-require-preflight': 'true' };
    var token = tokenInput.value.trim();
    if (token) headers.authorization = 'Bearer ' + token;
    Object.assign(headers, (opts && opts.headers) || {});
    return fetch(config.graphqlPath, { method: 'POST', headers: headers, body: JSON.stringify(params) }).then(function (r) { return r.json(); });
  }; }

  var tabs = config.examples.map(function (e) { return { query: e.query, variables: e.variables ? JSON.stringify(e.variables, null, 2) : undefined }; });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    root.render(React.createElement(GraphiQL, { fetcher: makeFetcher(), defaultTabs: tabs, defaultEditorToolsVisibility: 'variables', shouldPersistHeaders: false }));
  }
  function tokenChanged() {
    sessionStorage.setItem('playground-token', tokenInput.value.trim());
    render();
  }
  tokenInput.addEventListener('change', tokenChanged);

  var mintButton = document.getElementById('mint-button');
  if (config.devTokens && mintButton) {
    mintButton.addEventListener('click', function () {
      status.textContent = 'minting…';
      fetch('/playground/dev-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: document.getElementById('mint-role').value, org: document.getElementById('mint-org').value.trim() })
      }).then(function (r) { return r.json(); }).then(function (body) {
        if (body.token) {
          tokenInput.value = body.token;
          tokenChanged();
          status.textContent = 'token minted';
        } else {
          status.textContent = body.error || 'could not mint';
        }
      });
    });
  }

  render();
})();
</script>
</body>
</html>`;
}
