import { findOperation } from '../../nodes/Paqtana/actions/router';
import * as historicalDemand from '../../nodes/Paqtana/actions/historicalDemand/upsert.operation';
import * as masterInventory from '../../nodes/Paqtana/actions/masterInventory/replace.operation';

describe('router: saved resource/operation pairs', () => {
	it('finds each operation of each resource', () => {
		expect(findOperation('masterInventory', 'replace')).toBe(masterInventory.execute);
		expect(findOperation('historicalDemand', 'upsert')).toBe(historicalDemand.execute);
	});

	it.each([
		['masterInventory', 'upsert'],
		['historicalDemand', 'replace'],
		['unknown', 'replace'],
		['masterInventory', 'constructor'],
		['__proto__', 'toString'],
		['hasOwnProperty', 'call'],
	])('has no operation for %s/%s', (resource, operation) => {
		expect(findOperation(resource, operation)).toBeUndefined();
	});
});
