/**
 * A scripted stand-in for OpenAI's chat completions API on loopback, so the AI-agent example runs
 * in the e2e tests without a model or a key: the first request calls the tool whose name matches
 * `toolPattern`; the request that carries the tool's result is answered with a fixed sentence
 * that counts the job ids in that result. Every request is kept for the test to inspect.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatMessage {
	role: string;
	content?: string | null | Array<{ type: string; text?: string }>;
	tool_calls?: unknown[];
}

interface ChatRequest {
	model?: string;
	stream?: boolean;
	messages: ChatMessage[];
	tools?: Array<{ type: string; function: { name: string } }>;
}

export const FAKE_ANSWER_PREFIX = 'FAKE-MODEL-ANSWER';

export interface FakeChatModel {
	readonly url: string;
	readonly requests: ChatRequest[];
	close(): Promise<void>;
}

function text(content: ChatMessage['content']): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => part.text ?? '').join('');
	return '';
}

export async function startFakeChatModel(toolPattern: RegExp): Promise<FakeChatModel> {
	const requests: ChatRequest[] = [];
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
				res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no ${req.method} ${req.url}` } }));
				return;
			}
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
			requests.push(body);
			const toolResult = body.messages.filter((m) => m.role === 'tool').map((m) => text(m.content)).join('\n');
			const tool = body.tools?.find((t) => toolPattern.test(t.function.name));
			let message: { role: 'assistant'; content: string | null; tool_calls?: unknown[] };
			if (toolResult === '' && tool) {
				message = { role: 'assistant', content: null, tool_calls: [{ id: 'call_e2e_1', type: 'function', function: { name: tool.function.name, arguments: '{}' } }] };
			} else {
				const jobs = new Set(toolResult.match(/BULK-[0-9a-f-]{36}/g) ?? []);
				message = { role: 'assistant', content: `${FAKE_ANSWER_PREFIX}: ${jobs.size} jobs` };
			}
			const finish = message.tool_calls ? 'tool_calls' : 'stop';
			const base = { id: `chatcmpl-e2e-${requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'fake' };
			if (body.stream) {
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				const delta = message.tool_calls
					? { role: 'assistant', tool_calls: (message.tool_calls as Array<Record<string, unknown>>).map((call, index) => ({ index, ...call })) }
					: { role: 'assistant', content: message.content };
				res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
				res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
				res.end('data: [DONE]\n\n');
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' }).end(
				JSON.stringify({
					...base,
					object: 'chat.completion',
					choices: [{ index: 0, message, finish_reason: finish }],
					usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
				}),
			);
		});
	});
	await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/v1`,
		requests,
		close: async () => await new Promise<void>((resolvePromise) => server.close(() => resolvePromise())),
	};
}
