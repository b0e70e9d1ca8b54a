/** Which saved parameters can differ between items, so the node reads them per item (10.4). */
import { isItemDependent } from '../../nodes/Paqtana/helpers/expressions';

describe('an expression that can see the current item is item-dependent', () => {
	it.each([
		'={{ $json.region }}',
		'={{ $json["Work space"] }}',
		'={{ $binary.data.fileName }}',
		'={{ $input.item.json.code }}',
		'={{ $itemIndex % 2 ? "A" : "B" }}',
		'={{ $item(0).$node["Config"].json.code }}',
		'={{ $("Read Sheet").item.json.code }}',
		'={{ $node["Read Sheet"].json.code }}',
		'={{ $("Read Sheet").itemMatching($itemIndex).json.code }}',
		'=WS-{{ $json.region }}',
	])('%s', (expression) => {
		expect(isItemDependent(expression)).toBe(true);
	});
});

describe('a value or an expression that gives every item the same value is not', () => {
	it.each([
		'MAIN',
		'$json.region',
		'={{ "MAIN" }}',
		'={{ $now.year }}',
		'={{ $vars.workspaceCode }}',
		'={{ $("Config").first().json.code }}',
		'={{ $("Config").last().json.code }}',
		'={{ $("Config").all().length }}',
		'={{ $execution.id }}',
	])('%s', (value) => {
		expect(isItemDependent(value)).toBe(false);
	});

	it.each([undefined, null, 5, true])('%p', (value) => {
		expect(isItemDependent(value)).toBe(false);
	});
});

describe('collections are item-dependent when any of their values is', () => {
	it('an options collection with one item-reading option', () => {
		expect(isItemDependent({ dryRun: false, duplicates: '={{ $json.policy }}' })).toBe(true);
		expect(isItemDependent({ dryRun: false, duplicates: 'sum', maxRetries: 3 })).toBe(false);
	});

	it('nested lists and objects', () => {
		expect(isItemDependent({ list: [{ value: 'a' }, { value: '={{ $json.x }}' }] })).toBe(true);
		expect(isItemDependent({ list: [{ value: 'a' }, { value: '={{ 1 + 1 }}' }] })).toBe(false);
	});
});
