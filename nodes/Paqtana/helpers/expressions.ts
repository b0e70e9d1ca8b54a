/**
 * Whether a saved parameter can differ between input items. n8n evaluates an expression per item; the
 * node reads run-wide parameters once, so it must know which ones it has to read for every item.
 */

/**
 * What lets an expression see the current item: its data (`$json`, `$binary`, `$input.item`), its
 * position (`$itemIndex`, `$item(…)`), or a paired item of another node (`$('Node').item`,
 * `$node["Node"].json`, `.itemMatching(…)`). An expression without any of these (`{{ $now.year }}`,
 * `{{ $vars.code }}`, `{{ $('Config').first().json.code }}`) gives every item the same value.
 */
const ITEM_REFERENCE =
	/\$json\b|\$binary\b|\$item\b|\$itemIndex\b|\$input\.item\b|\.item\b|\$node\b|itemMatching|\$data\b|\$position\b/;

export function isItemDependent(saved: unknown): boolean {
	if (typeof saved === 'string') return saved.startsWith('=') && ITEM_REFERENCE.test(saved);
	if (Array.isArray(saved)) return saved.some(isItemDependent);
	if (typeof saved === 'object' && saved !== null)
		return Object.values(saved).some(isItemDependent);
	return false;
}
