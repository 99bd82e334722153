// Placeholder shell until the dashboard lands: proves the gateway serves the app at /.
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui', padding: 24 }}>
      <h1>Carbon Nexus</h1>
      <p>
        The GraphQL explorer is at <a href="/graphql">/graphql</a>.
      </p>
    </main>
  );
}
