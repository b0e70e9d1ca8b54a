// n8n loads the package through the "n8n" entry in package.json; this file only makes the package requirable.
module.exports = {};
