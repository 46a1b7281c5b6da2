// openapi-validate.js FILE: validates an OpenAPI document (3.0 or 3.1)
// against its specification; exit 1 with the reason when it is not valid.
'use strict';
const SwaggerParser = require('@apidevtools/swagger-parser');

SwaggerParser.validate(process.argv[2]).then(
	(api) => {
		console.log(`${api.info.title} ${api.info.version}: valid`);
	},
	(e) => {
		console.error(e.message);
		process.exit(1);
	});
