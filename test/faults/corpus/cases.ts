/**
 * The bad-input corpus: inputs a user can really hand the Create operation, each with where the
 * problem is (the row as the user counts it and the column) and what the refusal must say.
 * Large inputs are generated here (see generated.ts), never committed.
 *
 * Row names: CSV `row N` is the line in the file (the header is row 1); JSON `element N` and
 * input `item N` count from 0, as n8n shows them. `row` undefined: a problem of the whole input.
 */
export type Source = 'csvText' | 'csvFile' | 'json' | 'items';

export interface BadInput {
	id: string;
	source: Source;
	jobType?: 'create' | 'delete';
	/** CSV text, JSON text, input items, or bytes (a CSV File that is not UTF-8 text). */
	input: string | unknown[] | Buffer;
	/** Where the problem is, as the message names it. */
	row?: string;
	column?: string;
	/** What the line naming the row and column must say. */
	reason: RegExp;
}

const UUID = 'a19b2648-60c1-49fc-896c-ea450a07e98d';
const GEOFENCES = ['08e742fc-52d1-49aa-bea0-60a6cd17d8a2', '2bff17e2-af05-4843-9780-878df098d35a', '74a6fe54-2077-4629-b924-3340bc88b864', 'c096874c-0d5f-41c8-9cd8-56c25f9df23b'];
const csv = (...lines: string[]) => lines.join('\n');

export const CSV_CASES: BadInput[] = [
	{ id: 'csv: unclosed quote', source: 'csvText', input: csv('name,sendMs', '"Truck 1,600000', 'Truck 2,600000'), row: 'row 2', reason: /never closed/ },
	{ id: 'csv: unclosed quote on the last line', source: 'csvText', input: csv('name,sendMs', 'Truck 1,600000', 'Truck 2,"600000'), row: 'row 3', reason: /never closed/ },
	{ id: 'csv: quote inside an unquoted value', source: 'csvText', input: csv('name,sendMs', 'Tru"ck 1,600000'), row: 'row 2', column: 'name', reason: /double quote inside a value that is not quoted/ },
	{ id: 'csv: text after a closing quote', source: 'csvText', input: csv('name,sendMs', '"Truck" 1,600000'), row: 'row 2', column: 'name', reason: /after a closing double quote/ },
	{ id: 'csv: ragged row (too few cells)', source: 'csvText', input: csv('name,sendMs,sampleMs', 'Truck 1,600000,300000', 'Truck 2,600000'), row: 'row 3', reason: /has 2 columns, but the header has 3/ },
	{ id: 'csv: ragged row (too many cells)', source: 'csvText', input: csv('name,sendMs', 'Truck 1,600000', 'Truck, 2,600000'), row: 'row 3', reason: /has 3 columns, but the header has 2.*double quotes/ },
	{ id: 'csv: ";" as the delimiter', source: 'csvText', input: csv('name;sendMs;sampleMs', 'Truck 1;600000;300000'), row: 'row 1', reason: /separated by semicolons/ },
	{ id: 'csv: tab as the delimiter', source: 'csvText', input: csv('name\tsendMs', 'Truck 1\t600000'), row: 'row 1', reason: /separated by tabs/ },
	{ id: 'csv: BOM, then a bad row', source: 'csvText', input: `\uFEFF${csv('name,sendMs', 'Truck 1,600000', 'Truck 2,fast')}`, row: 'row 3', column: 'sendMs', reason: /is not a number/ },
	{ id: 'csv: blank lines before a bad row', source: 'csvText', input: csv('name,sendMs', '', 'Truck 1,600000', '', '', 'Truck 2,-1'), row: 'row 6', column: 'sendMs', reason: /must be 0 or more/ },
	{ id: 'csv: CRLF line ends and a quoted line break, then a bad row', source: 'csvText', input: 'name,type\r\n"Truck\r\n1",Tracker\r\nTruck 2,' + 'x'.repeat(51), row: 'row 4', column: 'type', reason: /longer than 50 characters/ },
	{ id: 'csv: duplicate header', source: 'csvText', input: csv('name,sendMs,name', 'Truck 1,600000,Truck 1'), row: 'row 1', column: 'name', reason: /appears twice \(columns 1 and 3\)/ },
	{ id: 'csv: empty header cell', source: 'csvText', input: csv('name,,sendMs', 'Truck 1,,600000'), row: 'row 1', column: 'column 2', reason: /has no name/ },
	{ id: 'csv: unknown column', source: 'csvText', input: csv('name,colour', 'Truck 1,red'), row: 'row 1', reason: /unknown column "colour"\. Allowed columns: add: name/ },
	{ id: 'csv: no header (data in the first row)', source: 'csvText', input: csv('Truck 1,600000,300000', 'Truck 2,600000,300000'), row: 'row 1', reason: /first row must be the header row/ },
	{ id: 'csv: header only', source: 'csvText', input: 'name,sendMs,sampleMs', reason: /header row but no device rows/ },
	{ id: 'csv: empty file', source: 'csvFile', input: '', reason: /is empty/ },
	{ id: 'csv: only blank lines', source: 'csvText', input: '\n\n  \n', reason: /is empty/ },
	{ id: 'csv: binary garbage', source: 'csvFile', input: Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 37 + 11) % 256)), reason: /binary data/ },
	{ id: 'csv: UTF-16 file', source: 'csvFile', input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,sendMs\nTruck 1,600000', 'utf16le')]), reason: /UTF-16/ },
	{ id: 'csv: Excel workbook', source: 'csvFile', input: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(200, 1)]), reason: /Excel workbook|ZIP/ },
	{ id: 'csv: Windows-1252 text', source: 'csvFile', input: Buffer.from('name,type\nCaf\xe9 truck,Tracker', 'latin1'), reason: /not UTF-8/ },
	{ id: 'csv: non-numeric sendMs', source: 'csvText', input: csv('name,sendMs', 'Truck 1,12abc'), row: 'row 2', column: 'sendMs', reason: /is not a number/ },
	{ id: 'csv: negative distanceM', source: 'csvText', input: csv('name,distanceM', 'Truck 1,-100'), row: 'row 2', column: 'distanceM', reason: /must be 0 or more/ },
	{ id: 'csv: number with a unit', source: 'csvText', input: csv('name,sampleMs', 'Truck 1,300000ms'), row: 'row 2', column: 'sampleMs', reason: /is not a number/ },
	{ id: 'csv: sendMs < sampleMs', source: 'csvText', input: csv('name,sendMs,sampleMs', 'Truck 1,1000,2000'), row: 'row 2', column: 'sendMs', reason: /must be at least sampleMs/ },
	{ id: 'csv: 11 tags in a list cell', source: 'csvText', input: csv('name,tags', `Truck 1,${Array.from({ length: 11 }, (_, i) => `t${i}`).join('|')}`), row: 'row 2', column: 'tags', reason: /more than 10 entries/ },
	{ id: 'csv: 11 tag: columns', source: 'csvText', input: csv(['name', ...Array.from({ length: 11 }, (_, i) => `tag:t${i}`)].join(','), ['Truck 1', ...Array.from({ length: 11 }, () => '1')].join(',')), row: 'row 2', column: 'tags', reason: /more than 10 entries/ },
	{ id: 'csv: areaBased with 4 geofences', source: 'csvText', input: csv('name,areaBased,geofences', `Truck 1,1,${GEOFENCES.join('|')}`), row: 'row 2', column: 'areaBased', reason: /at most 3 geofences/ },
	{ id: 'csv: areaBased not a boolean', source: 'csvText', input: csv('name,areaBased', 'Truck 1,maybe'), row: 'row 2', column: 'areaBased', reason: /true or false/ },
	{ id: 'csv: bad uuid in rules', source: 'csvText', input: csv('name,rules', 'Truck 1,not-a-uuid'), row: 'row 2', column: 'rules', reason: /only UUIDs/ },
	{ id: 'csv: bad uuid in a geofence: column', source: 'csvText', input: csv('name,geofence:xyz', 'Truck 1,1'), row: 'row 1', column: 'geofence:xyz', reason: /UUID/ },
	{ id: 'csv: over-long deviceId', source: 'csvText', input: csv('name,deviceId', `Truck 1,${'9'.repeat(51)}`), row: 'row 2', column: 'deviceId', reason: /longer than 50 characters/ },
	{ id: 'csv: tag: column with "yes"', source: 'csvText', input: csv('name,tag:fragile', 'Truck 1,yes'), row: 'row 2', column: 'tag:fragile', reason: /takes 1 to apply it/ },
	{ id: 'csv: over-long name', source: 'csvText', input: csv('name', 'N'.repeat(51)), row: 'row 2', column: 'name', reason: /longer than 50 characters/ },
	{ id: 'csv: name missing', source: 'csvText', input: csv('name,sendMs', 'Truck 1,600000', ',600000'), row: 'row 3', column: 'name', reason: /is required/ },
	{ id: 'csv: duplicate names', source: 'csvText', input: csv('name', 'Truck 1', 'Truck 2', 'Truck 1'), row: 'row 4', column: 'name', reason: /used twice in this upload \(first in row 2\)/ },
	{ id: 'csv: two identities (deviceId and externalId)', source: 'csvText', input: csv('name,deviceId,externalId', `Truck 1,${UUID},asset-1`), row: 'row 2', reason: /more than one device identity \(deviceId, externalId\)/ },
	{ id: 'csv: connectorId without externalDeviceId', source: 'csvText', input: csv('name,connectorId', `Truck 1,${UUID}`), row: 'row 2', column: 'externalDeviceId', reason: /is required when connectorId is given/ },
	{ id: 'csv: delete row without an identifier', source: 'csvText', jobType: 'delete', input: csv('trackingId,unclaimOnly', ',1'), row: 'row 2', reason: /does not say which device to delete/ },
	{ id: 'csv: delete job given add columns', source: 'csvText', jobType: 'delete', input: csv('name', 'Truck 1'), row: 'row 2', column: 'name', reason: /looks like a device to add/ },
	{ id: 'csv: mixed add and delete rows in an add job', source: 'csvText', input: csv('name,trackingId', 'Truck 1,', ',HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed'), row: 'row 3', column: 'trackingId', reason: /looks like a device to delete/ },
	{ id: 'csv: unclaimOnly not a boolean', source: 'csvText', jobType: 'delete', input: csv('externalId,unclaimOnly', 'asset-1,perhaps'), row: 'row 2', column: 'unclaimOnly', reason: /true or false/ },
];

export const JSON_CASES: BadInput[] = [
	{ id: 'json: not JSON', source: 'json', input: '[{"name": "Truck 1",}', reason: /not valid JSON \(line 1, column 21\)/ },
	{ id: 'json: an object, not an array', source: 'json', input: '{"name": "Truck 1"}', reason: /must be a JSON array of devices/ },
	{ id: 'json: an empty list', source: 'json', input: '[]', reason: /the JSON array is empty/ },
	{ id: 'json: an element that is not an object', source: 'json', input: '[{"name": "Truck 1"}, 42]', row: 'element 1', reason: /not an object/ },
	{ id: 'json: missing name', source: 'json', input: '[{"sendMs": 600000}]', row: 'element 0', column: 'name', reason: /is required/ },
	{ id: 'json: wrong type (sendMs as text)', source: 'json', input: '[{"name": "Truck 1", "sendMs": "fast"}]', row: 'element 0', column: 'sendMs', reason: /not a number|must be a number/ },
	{ id: 'json: wrong type (name as boolean)', source: 'json', input: '[{"name": true}]', row: 'element 0', column: 'name', reason: /must be text/ },
	{ id: 'json: nested junk in a field', source: 'json', input: '[{"name": {"first": "Truck", "parts": [1, [2]]}}]', row: 'element 0', column: 'name', reason: /must be text/ },
	{ id: 'json: tags as a number', source: 'json', input: '[{"name": "Truck 1", "tags": 7}]', row: 'element 0', column: 'tags', reason: /must be a list/ },
	{ id: 'json: unknown field', source: 'json', input: '[{"name": "Truck 1", "sendMilis": 600000}]', row: 'element 0', column: 'sendMilis', reason: /not a device field/ },
	{ id: 'json: mixed add and delete rows', source: 'json', input: '[{"name": "Truck 1"}, {"trackingId": "HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed"}]', row: 'element 1', column: 'trackingId', reason: /looks like a device to delete/ },
	{ id: 'json: unclaimOnly as text "true" in a delete job', source: 'json', jobType: 'delete', input: '[{"externalId": "asset-1", "unclaimOnly": "perhaps"}]', row: 'element 0', column: 'unclaimOnly', reason: /true or false/ },
];

export const ITEM_CASES: BadInput[] = [
	{ id: 'items: missing name', source: 'items', input: [{ name: 'Truck 1' }, { sendMs: 600000 }], row: 'item 1', column: 'name', reason: /is required/ },
	{ id: 'items: wrong type (sendMs true)', source: 'items', input: [{ name: 'Truck 1', sendMs: true }], row: 'item 0', column: 'sendMs', reason: /must be a number/ },
	{ id: 'items: nested junk (unknown nested field)', source: 'items', input: [{ name: 'Truck 1', erp: { id: 7, lines: [[1], { deep: null }] } }], row: 'item 0', column: 'erp', reason: /not a device field/ },
	{ id: 'items: tags with a non-text entry', source: 'items', input: [{ name: 'Truck 1', tags: ['ok', { no: 1 }] }], row: 'item 0', column: 'tags', reason: /entries must be text/ },
	{ id: 'items: mixed add and delete rows', source: 'items', input: [{ name: 'Truck 1' }, { trackingId: 'HERE-5cb2b777-7389-472b-81f0-9ab89a9c7fed' }], row: 'item 1', column: 'trackingId', reason: /looks like a device to delete/ },
	{ id: 'items: duplicate names', source: 'items', input: [{ name: 'Truck 1' }, { name: 'Truck 1' }], row: 'item 1', column: 'name', reason: /used twice/ },
	{ id: 'items: the same field twice in other spellings', source: 'items', input: [{ name: 'Truck 1', sendms: 1, SendMs: 2 }], row: 'item 0', column: 'sendMs', reason: /is given twice \(as "sendms" and "SendMs"\)/ },
];

/** Inputs that look odd but are valid: they must be accepted, with the right devices. */
export interface ValidVariant {
	id: string;
	source: Source;
	input: string | unknown[];
	names: string[];
}

export const VALID_VARIANTS: ValidVariant[] = [
	{ id: 'csv with a BOM', source: 'csvText', input: `\uFEFF${csv('name,sendMs', 'bom-1,600000')}`, names: ['bom-1'] },
	{ id: 'csv with blank lines and a trailing ",,," row', source: 'csvText', input: csv('name,sendMs', '', 'blank-1,600000', ',', '', 'blank-2,'), names: ['blank-1', 'blank-2'] },
	{ id: 'csv with CRLF and quoted commas', source: 'csvText', input: 'name,type\r\n"crlf, 1",Tracker\r\n', names: ['crlf, 1'] },
	{ id: 'json with extra whitespace', source: 'json', input: '  [ { "name" : "ws-1" } ]  ', names: ['ws-1'] },
	// By design: a sheet may hold a name or an id as a number; it is sent as text (the spec's type).
	{ id: 'json with a number as the name', source: 'json', input: '[{"name": 4711}]', names: ['4711'] },
	{ id: 'csv with a deviceId that is not a UUID (the spec allows any 1-50 characters)', source: 'csvText', input: 'name,deviceId\nplain-id,12345', names: ['plain-id'] },
];
