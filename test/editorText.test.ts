import { escapeHtml, htmlList, htmlParagraphs, listedWithMore, plainText } from '../nodes/HereBulkJobs/editorText';

describe('editor text for error descriptions', () => {
	it('escapes what the editor would read as markup or code', () => {
		expect(escapeHtml('tag:<name> & "x" `y`')).toBe('tag:&lt;name&gt; &amp; &quot;x&quot; &#96;y&#96;');
	});

	it('puts one problem per list item and separates paragraphs', () => {
		expect(htmlList(['row 2: a', 'row 3: b'])).toBe('<ul><li>row 2: a</li><li>row 3: b</li></ul>');
		expect(htmlList([])).toBe('');
		expect(htmlParagraphs(['one', '', 'two'])).toBe('one<br><br>two');
	});

	it('reads back as plain text for the error items of Continue On Fail, every value as written', () => {
		const description = htmlParagraphs([`Refused:${htmlList([escapeHtml('"A & <B>": taken'), escapeHtml('`x`: &amp; stays')])}`, 'Fix the names.']);
		expect(plainText(description)).toBe('Refused:\n- "A & <B>": taken\n- `x`: &amp; stays\n\nFix the names.');
	});
});

describe('listedWithMore', () => {
	it('lists up to the most shown, then counts the rest', () => {
		const ids = Array.from({ length: 12 }, (_, i) => `j${i + 1}`);
		expect(listedWithMore(ids.slice(0, 10))).toBe('j1, j2, j3, j4, j5, j6, j7, j8, j9, j10');
		expect(listedWithMore(ids)).toBe('j1, j2, j3, j4, j5, j6, j7, j8, j9, j10 and 2 more');
		expect(listedWithMore(ids, 2)).toBe('j1, j2 and 10 more');
		expect(listedWithMore([])).toBe('');
	});
});
