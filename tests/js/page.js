// page.js BASE SCREENSHOT: opens the page of `iceupd serve` at BASE in a
// headless Chromium (CHROMIUM, default /usr/bin/chromium), presses "test
// from this browser", has an EventSource in the page wait for a refresh it
// asks for, writes a screenshot to SCREENSHOT, and prints a JSON report:
// {provider, results: [{url, policy, result, text}], refreshRows, event:
// {first, second}, consoleErrors, cspViolations, pageErrors}.
// With PAGE_TOKEN set, the server wants that token: it is typed into the
// page once the page asks for it (the 401s before are in beforeToken), and
// the refresh is seen by the page's own stream instead.
'use strict';
const { chromium } = require('playwright-core');

const [base, shot] = process.argv.slice(2);
const token = process.env.PAGE_TOKEN || '';

// Polls fn in the page until it returns true, at most ms.  Not
// page.waitForFunction: that evaluates a string, which the page's CSP
// rightly refuses.
async function until(page, fn, ms, what) {
	const end = Date.now() + ms;
	while (!(await page.evaluate(fn))) {
		if (Date.now() > end)
			throw new Error(`${what}: not within ${ms / 1000} s`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

async function main() {
	const browser = await chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
	const report = { consoleErrors: [], cspViolations: [], pageErrors: [] };
	try {
		const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
		page.on('console', (m) => {
			if (m.type() === 'error')
				report.consoleErrors.push(m.text());
		});
		page.on('pageerror', (e) => report.pageErrors.push(String(e)));
		await page.addInitScript(() => {
			window.cspViolations = [];
			document.addEventListener('securitypolicyviolation', (e) =>
				window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
		});
		await page.goto(base + '/');
		if (token) {
			await until(page, () => document.getElementById('error')
				.textContent.includes('bearer token'), 30000,
				'the page asks for the token');
			report.beforeToken = report.consoleErrors.splice(0);
			await page.fill('#token', token);
			await page.click('#save');
		}
		await until(page, () =>
			document.getElementById('provider').textContent !== '\u2026' &&
			document.getElementById('refreshes').rows.length > 0,
			30000, 'the page shows the list');
		report.provider = await page.textContent('#provider');
		if (token) {
			await page.evaluate((t) => fetch('/api/ice/refresh', {
				method: 'POST', headers: { Authorization: 'Bearer ' + t },
			}), token);
			await until(page, () =>
				document.getElementById('refreshes').rows.length >= 2,
				30000, 'the page shows the refresh');
			report.refreshRows = await page.$$eval('#refreshes tr', (r) => r.length);
			report.stream = await page.textContent('#stream');
			report.cspViolations = await page.evaluate(() => window.cspViolations);
			return;
		}
		await page.click('#test');
		await until(page, () => {
			const rows = [...document.querySelectorAll('#results tr')];
			return rows.length > 0 && rows.every((r) => r.dataset.result);
		}, 60000, 'the test ends');
		report.results = await page.$$eval('#results tr', (rows) => rows.map((r) => ({
			url: r.dataset.url, policy: r.dataset.policy,
			result: r.dataset.result, text: r.cells[2].textContent,
		})));
		// An EventSource of the page's own: the list on connect, then
		// the refresh it asks for.
		report.event = await page.evaluate(() => new Promise((resolve, reject) => {
			const es = new EventSource('/api/ice/events');
			const got = [];
			setTimeout(() => reject(new Error('no refresh event within 30 s')), 30000);
			es.addEventListener('credentials', (e) => {
				got.push(JSON.parse(e.data));
				if (got.length === 1)
					fetch('/api/ice/refresh', { method: 'POST' });
				else {
					es.close();
					resolve({ first: got[0], second: got[1] });
				}
			});
		}));
		await until(page, () =>
			document.getElementById('refreshes').rows.length >= 2,
			30000, 'the page shows the refresh');
		report.refreshRows = await page.$$eval('#refreshes tr', (r) => r.length);
		await page.screenshot({ path: shot, fullPage: true });
		report.cspViolations = await page.evaluate(() => window.cspViolations);
	} finally {
		await browser.close();
		process.stdout.write(JSON.stringify(report) + '\n');
	}
}

main().catch((e) => {
	console.error(String(e && e.stack || e));
	process.exit(1);
});
