// Drives mp_mcp over Streamable HTTP with the TypeScript clients agent platforms use: the official MCP SDK and
// @ai-sdk/mcp (with 2026-07-28 protocol discovery, and with the initialize handshake). Each lists the tools and
// calls two of them, then closes. Prints one JSON object; exits 1 if anything threw or was logged as a complaint.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createMCPClient } from "@ai-sdk/mcp";

const url = process.argv[2];
const headers = process.argv[3] ? { Authorization: `Bearer ${process.argv[3]}` } : {};
const complaints = [];
for (const level of ["error", "warn"]) {
  console[level] = (...args) => complaints.push(`console.${level}: ${args.map(String).join(" ")}`);
}

async function official() {
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  const client = new Client({ name: "interop-official", version: "1.0.0" });
  client.onerror = (e) => complaints.push(`official onerror: ${e}`);
  await client.connect(transport);
  const tools = await client.listTools();
  const info = await client.callTool({ name: "workspace_info", arguments: {} });
  const scalar = await client.callTool({ name: "sql_scalar", arguments: { query: "SELECT 6 * 7" } });
  const session = transport.sessionId !== undefined;
  if (session) await transport.terminateSession();
  await client.close();
  return { session, tools: tools.tools.length, demo: info.structuredContent?.demo ?? null, value: scalar.structuredContent?.value ?? null, isError: !!(info.isError || scalar.isError) };
}

async function aiSdk(protocolVersionDiscovery) {
  const client = await createMCPClient({
    transport: { type: "http", url, headers },
    protocolVersionDiscovery,
    onUncaughtError: (e) => complaints.push(`ai-sdk uncaught: ${e}`),
  });
  const tools = await client.tools();
  const info = await tools.workspace_info.execute({}, { toolCallId: "1", messages: [] });
  const scalar = await tools.sql_scalar.execute({ query: "SELECT 6 * 7" }, { toolCallId: "2", messages: [] });
  await client.close();
  return { tools: Object.keys(tools).length, demo: info.structuredContent?.demo ?? null, value: scalar.structuredContent?.value ?? null, isError: !!(info.isError || scalar.isError) };
}

const report = {};
for (const [name, run] of [["official", official], ["ai_sdk_discovery", () => aiSdk(true)], ["ai_sdk_initialize", () => aiSdk(false)]]) {
  try {
    report[name] = await run();
  } catch (e) {
    complaints.push(`${name} threw: ${e?.stack ?? e}`);
  }
}
// Late complaints (e.g. a refused GET stream) surface after the calls return.
await new Promise((resolve) => setTimeout(resolve, 500));
report.complaints = complaints;
process.stdout.write(JSON.stringify(report) + "\n");
process.exit(complaints.length === 0 ? 0 : 1);
