/**
 * The example test from the "Testing a gated tool" section of
 * src/bridge/README.md, verbatim except for the two import paths (the docs
 * import '@keyhold/bridge/mcp/v1' and '@keyhold/bridge/testing'). If this file
 * changes, change the README too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

import { KeyholdMcp } from '../../src/bridge/mcp/v1/index.js';
import { FakeKeyholdApp } from '../../src/bridge/testing/index.js';

// The server under test; in your project, import it from your code.
function createServer(keyholdAt: { url: string; token: string }) {
  const server = new McpServer({ name: 'weather', version: '1.0.0' });
  const keyhold = new KeyholdMcp({ server, name: 'weather', ...keyholdAt });
  keyhold.tool(
    'forecast',
    { description: 'Weather forecast for a city', inputSchema: { city: z.string() } },
    { secrets: ['OPENWEATHER_KEY'], reason: ({ city }) => `Forecast for ${city}` },
    async ({ city }, { secrets }) => ({
      content: [{ type: 'text', text: `Sunny in ${city} (asked with a ${secrets.OPENWEATHER_KEY.length}-character key)` }],
    }),
  );
  return { server, keyhold };
}

test('forecast asks for the key once, then for approval each time', async (t) => {
  const app = await FakeKeyholdApp.start();
  const { server, keyhold } = createServer(app.connection);
  const client = new Client({ name: 'test', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  await client.connect(clientSide);
  t.after(async () => {
    await client.close();
    await keyhold.close();
    await app.stop();
  });

  // The user: saves a key in the entry window, then clicks Allow, then Deny.
  app.decide({ save: { OPENWEATHER_KEY: 'test-key-123' } }, 'allow', 'deny');

  const first = await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } });
  assert.equal(first.isError, undefined);
  assert.equal(app.prompts[0]?.kind, 'entry');
  assert.equal(app.prompts[0]?.reason, 'Forecast for Oslo');
  assert.equal(app.store.get('weather', 'OPENWEATHER_KEY'), 'test-key-123');

  await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } });
  assert.equal(app.prompts[1]?.kind, 'approval');

  const denied = await client.callTool({ name: 'forecast', arguments: { city: 'Oslo' } });
  assert.equal(denied.isError, true);
  assert.equal(denied._meta?.['keyhold/error'], 'denied');
});
