import { escapeHtml, htmlList, htmlParagraphs, plainText } from '../nodes/HereBulkJobs/editorText';

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
