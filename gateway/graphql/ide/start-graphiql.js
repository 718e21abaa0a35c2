// Starts GraphiQL on the page gateway/graphql/ide/page.ts renders. A file of its own (not an
// inline script) so the page's Content-Security-Policy can allow scripts from the gateway only.
// Runs in the browser: React, ReactDOM and GraphiQL are the globals of their UMD builds.
/* global React, ReactDOM, GraphiQL */
(function startGraphiQL() {
  'use strict';
  var config = JSON.parse(document.getElementById('ide-config').textContent);
  var fetcher = GraphiQL.createFetcher({
    url: config.endpoint,
    // Sent with every request; a header of the same name in the Headers tab wins.
    headers: config.headers,
  });
  var props = {
    fetcher: fetcher,
    // One history and set of tabs per door: their schemas differ.
    storage: GraphiQL.createLocalStorage({ namespace: 'bff-gateway:' + config.endpoint }),
    // A token is a credential: never kept in localStorage.
    shouldPersistHeaders: false,
    defaultQuery: config.defaultQuery,
  };
  if (Object.keys(config.headers).length > 0) {
    props.defaultHeaders = JSON.stringify(config.headers, null, 2);
    props.defaultEditorToolsVisibility = 'headers';
  }
  var e = React.createElement;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    e(GraphiQL, props, e(GraphiQL.Logo, null, config.title), config.note ? e(GraphiQL.Footer, null, e('div', { className: 'ide-note' }, config.note)) : null),
  );
})();
