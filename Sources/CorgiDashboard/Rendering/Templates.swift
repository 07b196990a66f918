/// The dashboard's Mustache templates, one per page, each filling the layout's `content` block
/// (template inheritance). `{{name}}` escapes HTML; nothing here uses the unescaped forms, so
/// every value from the API — paths, messages, rule ids, comments — is text, never markup.
/// The one triple mustache is the overview's chart: SVG that ``BarChart`` builds from numbers
/// and escaped labels.
///
/// Rules the templates keep, because the Content-Security-Policy enforces them: no inline
/// script, no `style` attributes, no event-handler attributes; forms that change something
/// POST with the session's CSRF token.
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "sign-in": signIn, "overview": overview, "repositories": repositories, "pull-requests": pullRequests,
        "pull-request": pullRequest, "findings": findings, "finding": finding, "policy": policy, "members": members,
        "api-keys": apiKeys, "api-key-created": apiKeyCreated, "audit": audit, "settings": settings, "sessions": sessions,
        "problem": problem, "findings-table": findingsTable, "pager": pager, "dismissal-requests": dismissalRequests,
    ]

    static let layout = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <title>{{title}} · Code Corgi</title>
    <link rel="icon" href="/assets/corgi.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/assets/corgi.css">
    <script src="/assets/corgi.js" defer></script>
    </head>
    <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
    <a class="brand" href="/">Code Corgi</a>
    {{#organisation}}<span class="org">{{.}}</span>{{/organisation}}
    {{#hasNav}}<nav aria-label="Main"><ul>{{#nav}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a></li>{{/nav}}</ul></nav>{{/hasNav}}
    {{#user}}<form method="post" action="/sign-out" class="signout"><input type="hidden" name="csrf" value="{{csrf}}"><span class="who">{{subject}} · {{role}}</span> <button type="submit">Sign out</button></form>{{/user}}
    </header>
    <main id="main" tabindex="-1"{{#refresh}} data-refresh="{{refresh}}"{{/refresh}}>
    <h1>{{title}}</h1>
    {{#notice}}<p class="notice" role="status">{{.}}</p>{{/notice}}
    {{$content}}{{/content}}
    </main>
    <footer class="bottom"><p>Code Corgi keeps metadata only: findings show redacted evidence, never code. Times are shown in your time zone.</p></footer>
    </body>
    </html>
    """#

    static let signIn = #"""
    {{<layout}}{{$content}}
    {{#hasMethods}}
    <p>Sign in with your organisation's identity provider.</p>
    <ul class="actions">{{#methods}}<li><a class="button" href="/auth/{{name}}/login">Sign in with {{label}}</a></li>{{/methods}}</ul>
    {{/hasMethods}}
    {{^methods}}
    <p>Sign-in is not configured on this server. An operator adds <code>sso.oidc</code>, <code>sso.github</code> or <code>sso.saml</code> to the settings file (see the README, “Single sign-on”); the API works with API keys meanwhile.</p>
    {{/methods}}
    {{/content}}{{/layout}}
    """#

    static let overview = #"""
    {{<layout}}{{$content}}
    {{^hasReviews}}<section class="empty"><h2>No reviews yet</h2><p>Install the app on a repository and open a pull request: its review, and every finding in it, shows here.</p></section>{{/hasReviews}}
    {{#hasReviews}}
    <section aria-labelledby="open-h"><h2 id="open-h">Open findings by severity</h2>
    <ul class="cards">{{#severities}}<li class="card sev-{{name}}"><a href="/findings?state=open&amp;severity={{name}}"><span class="count" data-number="{{count}}">{{formatted}}</span> <span class="label">{{name}}</span></a></li>{{/severities}}</ul>
    <p>{{#states}}<span class="pill state-{{name}}"><span data-number="{{count}}">{{formatted}}</span> {{name}}</span> {{/states}} · {{repositories}} · {{pullRequests}}{{#region}} · data in region <strong>{{.}}</strong>{{/region}}</p>
    </section>
    {{#trends}}
    <section aria-labelledby="trend-h"><h2 id="trend-h">New and fixed findings per week</h2>
    {{{chart}}}
    <details><summary>The numbers</summary>
    <table><caption>Findings first seen and fixed, per week (weeks start Monday, UTC)</caption><thead><tr><th scope="col">Week of</th><th scope="col">New</th><th scope="col">Fixed</th></tr></thead>
    <tbody>{{#weeks}}<tr><td>{{start}}</td><td>{{new}}</td><td>{{fixed}}</td></tr>{{/weeks}}</tbody></table></details>
    <p>Mean time to fix: <strong>{{meanTimeToFix}}</strong>{{#fixed}} over {{.}} fixed in these weeks{{/fixed}}.</p>
    </section>
    <div class="columns">
    <section aria-labelledby="repos-h"><h2 id="repos-h">Repositories with the most open findings</h2>
    {{#hasTopRepositories}}<table><thead><tr><th scope="col">Repository</th><th scope="col">Open</th></tr></thead><tbody>{{#topRepositories}}<tr><td><a href="/findings?state=open&amp;repository={{name}}">{{name}}</a></td><td>{{open}}</td></tr>{{/topRepositories}}</tbody></table>{{/hasTopRepositories}}
    {{^topRepositories}}<p class="empty">No open findings.</p>{{/topRepositories}}
    </section>
    <section aria-labelledby="rules-h"><h2 id="rules-h">Rules with the most open findings</h2>
    {{#hasTopRules}}<table><thead><tr><th scope="col">Rule</th><th scope="col">Open</th></tr></thead><tbody>{{#topRules}}<tr><td><a href="/findings?state=open&amp;rule={{name}}"><code>{{name}}</code></a></td><td>{{open}}</td></tr>{{/topRules}}</tbody></table>{{/hasTopRules}}
    {{^topRules}}<p class="empty">No open findings.</p>{{/topRules}}
    </section>
    </div>
    {{/trends}}
    {{/hasReviews}}
    {{/content}}{{/layout}}
    """#

    static let repositories = #"""
    {{<layout}}{{$content}}
    {{#hasRows}}<table><thead><tr><th scope="col">Repository</th><th scope="col">Pull requests</th><th scope="col">Open findings</th></tr></thead>
    <tbody>{{#rows}}<tr><td><a href="/pull-requests?repository={{name}}">{{name}}</a></td><td>{{pullRequests}}</td><td><a href="/findings?state=open&amp;repository={{name}}">{{openFindings}}</a></td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">No repository has a reviewed pull request yet. Open a pull request in a repository where the app is installed.</p>{{/rows}}
    {{/content}}{{/layout}}
    """#

    static let pullRequests = #"""
    {{<layout}}{{$content}}
    <form method="get" action="/pull-requests" class="filters"><label>Repository <input name="repository" value="{{repository}}" maxlength="512"></label>
    <label>State <select name="state"><option value="">any</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/states}}</select></label>
    <button type="submit">Filter</button></form>
    {{#hasRows}}<table><thead><tr><th scope="col">Pull request</th><th scope="col">State</th><th scope="col">Updated</th><th scope="col">Open findings</th></tr></thead>
    <tbody>{{#rows}}<tr><td><a href="{{href}}">{{repository}}#{{number}}</a></td><td><span class="pill state-{{state}}">{{state}}</span>{{#reviewing}} <span class="pill reviewing">review in progress</span>{{/reviewing}}</td><td><time datetime="{{updatedAt}}">{{updatedAt}}</time></td><td>{{openFindings}}</td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">No reviewed pull request matches. Reviews appear here as soon as the forge sends a pull request event.</p>{{/rows}}
    {{> pager}}
    {{/content}}{{/layout}}
    """#

    static let pullRequest = #"""
    {{<layout}}{{$content}}
    {{#reviewing}}<p class="notice" role="status">A review of this pull request is in progress: this page updates itself when it ends.</p>{{/reviewing}}
    <p><span class="pill state-{{state}}">{{state}}</span>{{#headSHA}} · head <code>{{.}}</code>{{/headSHA}} · updated <time datetime="{{updatedAt}}">{{updatedAt}}</time>{{#forgeURL}} · <a href="{{.}}" rel="noopener noreferrer">open on the forge</a>{{/forgeURL}}</p>
    <h2>Findings</h2>
    {{> findings-table}}
    {{/content}}{{/layout}}
    """#

    /// Findings with a checkbox each (bulk triage) when the reader may triage.
    static let findingsTable = #"""
    {{#hasRows}}
    <form method="post" action="/findings/dismissals" class="triage">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="back" value="{{back}}">
    {{#mayTriage}}<p><label class="inline"><input type="checkbox" class="select-all"> Select every open finding on this page</label></p>{{/mayTriage}}
    <fieldset class="plain"><legend class="visually-hidden">Findings on this page</legend>
    <table><thead><tr>{{#mayTriage}}<th scope="col"><span class="visually-hidden">Select</span></th>{{/mayTriage}}<th scope="col">Severity</th><th scope="col">Rule</th><th scope="col">Where</th><th scope="col">State</th></tr></thead>
    <tbody>{{#rows}}<tr>{{#mayTriage}}<td>{{#open}}<input type="checkbox" name="id" value="{{id}}" aria-label="Select finding {{id}}">{{/open}}</td>{{/mayTriage}}<td><span class="sev sev-{{severity}}">{{severity}}</span></td><td><a href="/findings/{{id}}"><code>{{ruleID}}</code></a><br><span class="message">{{message}}</span>{{#hasFlow}}<ol class="flow" aria-label="Dataflow path">{{#flow}}<li>line {{line}}: {{message}}</li>{{/flow}}</ol>{{/hasFlow}}</td><td><code>{{path}}:{{line}}</code><br>{{repository}}#{{pullRequest}}</td><td><span class="pill state-{{state}}">{{state}}</span></td></tr>{{/rows}}</tbody></table>
    </fieldset>
    {{#mayTriage}}<fieldset class="bulk"><legend>Dismiss the selected open findings</legend>
    <label>Reason <select name="reason" required>{{#reasons}}<option value="{{value}}">{{label}}</option>{{/reasons}}</select></label>
    <label>Comment <input name="comment" maxlength="1000"></label>
    <button type="submit">Dismiss selected</button></fieldset>{{/mayTriage}}
    </form>
    {{/hasRows}}
    {{^rows}}<p class="empty">No findings here{{#filtered}} match these filters{{/filtered}}.</p>{{/rows}}
    """#

    static let findings = #"""
    {{<layout}}{{$content}}
    <form method="get" action="/findings" class="filters">
    <label>Repository <input name="repository" value="{{repository}}" maxlength="512"></label>
    <label>Rule <input name="rule" value="{{rule}}" maxlength="200"></label>
    <label>Severity <select name="severity"><option value="">any</option>{{#severities}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/severities}}</select></label>
    <label>State <select name="state"><option value="">any</option>{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/states}}</select></label>
    <button type="submit">Filter</button></form>
    {{> findings-table}}
    {{> pager}}
    {{/content}}{{/layout}}
    """#

    static let pager = #"""
    {{#next}}<p class="pager"><a href="{{.}}" rel="next">Next page</a></p>{{/next}}
    """#

    static let finding = #"""
    {{<layout}}{{$content}}
    <dl class="facts">
    <dt>Severity</dt><dd><span class="sev sev-{{severity}}">{{severity}}</span></dd>
    <dt>Rule</dt><dd><code>{{ruleID}}</code> ({{kind}}){{#cwe}} · <a href="{{cweURL}}" rel="noopener noreferrer">{{cwe}}</a>{{/cwe}}</dd>
    <dt>Where</dt><dd><code>{{path}}:{{line}}{{#endLine}}–{{.}}{{/endLine}}</code> in <a href="{{pullRequestHref}}">{{repository}}#{{pullRequest}}</a></dd>
    <dt>What and how to fix it</dt><dd class="message">{{message}}</dd>
    {{#redacted}}<dt>Evidence (redacted)</dt><dd><code class="evidence">{{.}}</code></dd>{{/redacted}}
    {{#hasFlow}}<dt>Dataflow path</dt><dd><ol class="flow">{{#flow}}<li><code>{{path}}:{{line}}</code> {{message}}</li>{{/flow}}</ol></dd>{{/hasFlow}}
    <dt>State</dt><dd><span class="pill state-{{state}}">{{state}}</span></dd>
    </dl>
    <h2>History</h2>
    <ol class="history">
    <li>First seen in review {{firstScanID}}.</li>
    {{#stillSeen}}<li>Last seen in review {{lastScanID}}.</li>{{/stillSeen}}
    {{#fixedScanID}}<li>Fixed in review {{.}}.</li>{{/fixedScanID}}
    {{#requests}}<li>Dismissal requested by {{requestedBy}} on <time datetime="{{requestedAt}}">{{requestedAt}}</time>: {{reason}}{{#comment}} — “{{.}}”{{/comment}}; {{state}}{{#decidedBy}} by {{.}}{{/decidedBy}}{{#decidedAt}} on <time datetime="{{.}}">{{.}}</time>{{/decidedAt}}.</li>{{/requests}}
    {{#events}}<li><time datetime="{{occurredAt}}">{{occurredAt}}</time>: {{action}} by {{actor}}{{#details}} ({{.}}){{/details}}.</li>{{/events}}
    {{#dismissal}}<li>Dismissed by {{author}} on <time datetime="{{at}}">{{at}}</time>: {{reason}}{{#comment}} — “{{.}}”{{/comment}}{{#until}}, until <time datetime="{{.}}">{{.}}</time>{{/until}}. Later reviews of the repository leave it out.</li>{{/dismissal}}
    </ol>
    {{#mayTriage}}{{#open}}
    <form method="post" action="/findings/dismissals" class="dismiss">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="id" value="{{id}}"><input type="hidden" name="back" value="/findings/{{id}}">
    <fieldset><legend>Dismiss this finding</legend>
    <label>Reason <select name="reason" required>{{#reasons}}<option value="{{value}}">{{label}}</option>{{/reasons}}</select></label>
    <label>Comment <input name="comment" maxlength="1000"></label>
    <button type="submit">Dismiss</button></fieldset></form>
    {{/open}}{{/mayTriage}}
    {{/content}}{{/layout}}
    """#

    static let policy = #"""
    {{<layout}}{{$content}}
    <p>The defaults every repository of the organisation starts from; a repository's <code>.corgi.yml</code> may narrow them.</p>
    {{^mayWrite}}
    <dl class="facts">
    <dt>Fail the check at</dt><dd>{{failOnLabel}}</dd>
    <dt>Rule packs</dt><dd>{{packsLabel}}</dd>
    <dt>Ignored paths</dt><dd>{{#ignorePaths}}<code>{{.}}</code> {{/ignorePaths}}{{^ignorePaths}}none{{/ignorePaths}}</dd>
    <dt>Disabled rules</dt><dd>{{#disabledRules}}<code>{{.}}</code> {{/disabledRules}}{{^disabledRules}}none{{/disabledRules}}</dd>
    <dt>Diff retention</dt><dd>{{diffRetentionLabel}}</dd>
    <dt>Review retention</dt><dd>{{reviewRetentionLabel}}</dd>
    <dt>Four-eyes triage</dt><dd>{{#fourEyes}}on{{/fourEyes}}{{^fourEyes}}off{{/fourEyes}}</dd>
    <dt>AI review</dt><dd>{{#aiReview}}on{{/aiReview}}{{^aiReview}}off{{/aiReview}}</dd>
    </dl>
    <p class="hint">Only owners and admins change the policy.</p>
    {{/mayWrite}}
    {{#mayWrite}}
    <form method="post" action="/policy" class="policy">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label>Fail the check at <select name="fail_on">{{#failOnOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/failOnOptions}}</select></label>
    <fieldset><legend>Rule packs</legend>{{#packOptions}}<label class="inline"><input type="checkbox" name="packs" value="{{value}}"{{#checked}} checked{{/checked}}> {{value}}</label>{{/packOptions}}</fieldset>
    <label>Ignored paths (one glob per line) <textarea name="ignore_paths" rows="4">{{ignorePathsText}}</textarea></label>
    <label>Disabled rules (one rule id per line) <textarea name="disabled_rules" rows="4">{{disabledRulesText}}</textarea></label>
    <label>Diff retention in days (empty: the server's) <input name="diff_retention_days" inputmode="numeric" pattern="[0-9]*" value="{{diffRetentionDays}}"></label>
    <label>Review retention in days, 30 to 3650 (empty: for as long as the organisation exists) <input name="review_retention_days" inputmode="numeric" pattern="[0-9]*" value="{{reviewRetentionDays}}"></label>
    <label class="inline"><input type="checkbox" name="four_eyes" value="on"{{#fourEyes}} checked{{/fourEyes}}> Four-eyes triage: a dismissal needs a second person's approval</label>
    <label class="inline"><input type="checkbox" name="ai_review" value="on"{{#aiReview}} checked{{/aiReview}}> AI review of pull requests (redacted diffs only)</label>
    <button type="submit">Save the policy</button>
    </form>
    {{/mayWrite}}
    {{/content}}{{/layout}}
    """#

    static let members = #"""
    {{<layout}}{{$content}}
    <p>People who signed in through the identity provider, with the role their groups gave them at their latest sign-in. Roles are managed at the identity provider; Code Corgi keeps no other record of people.</p>
    {{#hasRows}}<table><thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Signed in with</th><th scope="col">Last sign-in</th></tr></thead>
    <tbody>{{#rows}}<tr><td>{{subject}}</td><td>{{role}}</td><td>{{method}}</td><td><time datetime="{{lastSignIn}}">{{lastSignIn}}</time></td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">Nobody signed in yet.</p>{{/rows}}
    {{/content}}{{/layout}}
    """#

    static let apiKeys = #"""
    {{<layout}}{{$content}}
    {{#hasRows}}<table><thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">Status</th></tr></thead>
    <tbody>{{#rows}}<tr><td>{{name}}</td><td><code>{{prefix}}…</code></td><td>{{role}}{{#scopes}}<br><small>{{.}}</small>{{/scopes}}</td><td><time datetime="{{createdAt}}">{{createdAt}}</time><br><small>by {{createdBy}}</small></td><td>{{#expiresAt}}<time datetime="{{.}}">{{.}}</time>{{/expiresAt}}{{^expiresAt}}never{{/expiresAt}}</td><td>{{#lastUsedAt}}<time datetime="{{.}}">{{.}}</time>{{/lastUsedAt}}{{^lastUsedAt}}never{{/lastUsedAt}}</td>
    <td>{{#revokedAt}}revoked <time datetime="{{.}}">{{.}}</time>{{/revokedAt}}{{^revokedAt}}{{#mayWrite}}<form method="post" action="/api-keys/{{id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger" aria-label="Revoke the key {{name}}">Revoke</button></form>{{/mayWrite}}{{^mayWrite}}active{{/mayWrite}}{{/revokedAt}}</td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">No API keys yet.{{#mayWrite}} Create one below for CI or scripts.{{/mayWrite}}</p>{{/rows}}
    {{#mayWrite}}
    <form method="post" action="/api-keys" class="create">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <fieldset><legend>Create a key</legend>
    <label>Name <input name="name" required maxlength="100"></label>
    <label>Role <select name="role">{{#roles}}<option value="{{.}}">{{.}}</option>{{/roles}}</select></label>
    <label>Expires in days <input name="expires_in_days" inputmode="numeric" pattern="[0-9]*" value="90" required></label>
    <button type="submit">Create the key</button></fieldset></form>
    {{/mayWrite}}
    {{/content}}{{/layout}}
    """#

    static let apiKeyCreated = #"""
    {{<layout}}{{$content}}
    <p class="notice" role="status">The key <strong>{{name}}</strong> ({{role}}) was created. Copy it now: it is shown once and stored only as a hash.</p>
    <p><label for="new-key">Your new API key</label><br><input id="new-key" class="secret" readonly value="{{key}}" size="60"></p>
    <p><a href="/api-keys">Back to the API keys</a></p>
    {{/content}}{{/layout}}
    """#

    static let audit = #"""
    {{<layout}}{{$content}}
    <form method="get" action="/audit/verification" class="verify"><button type="submit">Verify the chain</button></form>
    {{#verification}}<div class="verdict {{#intact}}ok{{/intact}}{{^intact}}broken{{/intact}}" role="status"><p><strong>{{#intact}}The chain is intact: every event is linked to the one before it.{{/intact}}{{^intact}}The chain is broken: an event was changed, removed or inserted. Tell your operator (corgi audit verify shows where).{{/intact}}</strong> Checked <time datetime="{{checkedAt}}">{{checkedAt}}</time>.</p>{{#hasLimitations}}<ul>{{#limitations}}<li>{{.}}</li>{{/limitations}}</ul>{{/hasLimitations}}</div>{{/verification}}
    <form method="get" action="/audit" class="filters"><label>Action <input name="action" value="{{action}}" maxlength="64" pattern="[a-z._]*" placeholder="finding.dismissed"></label> <button type="submit">Search</button></form>
    {{#hasRows}}<table><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
    <tbody>{{#rows}}<tr><td>{{id}}</td><td><time datetime="{{occurredAt}}">{{occurredAt}}</time></td><td>{{actor}}</td><td><code>{{action}}</code></td><td>{{target}}</td><td>{{details}}</td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">No audit events{{#action}} with action “{{.}}”{{/action}}.</p>{{/rows}}
    {{> pager}}
    {{/content}}{{/layout}}
    """#

    static let settings = #"""
    {{<layout}}{{$content}}
    <section aria-labelledby="residency-h"><h2 id="residency-h">Retention and residency</h2>
    <dl class="facts">
    <dt>Region</dt><dd>{{region}}</dd>
    <dt>Diffs (encrypted) kept for</dt><dd>{{diffRetention}}</dd>
    <dt>Review results of closed pull requests kept for</dt><dd>{{reviewRetention}}</dd>
    </dl>
    <p class="hint">The region is fixed when the organisation's first data is stored; retention is part of the <a href="/policy">policy</a>.</p>
    </section>
    <section aria-labelledby="sso-h"><h2 id="sso-h">Single sign-on</h2>
    {{#hasMethods}}<ul>{{#methods}}<li>{{label}} (<code>/auth/{{name}}/login</code>)</li>{{/methods}}</ul>{{/hasMethods}}
    {{^methods}}<p class="empty">No sign-in method is configured.</p>{{/methods}}
    <p class="hint">Identity providers and the mapping of their groups to roles are set in the server's settings file (<code>sso.*</code>) by its operator, and apply at each sign-in.</p>
    </section>
    {{/content}}{{/layout}}
    """#

    static let sessions = #"""
    {{<layout}}{{$content}}
    {{#hasRows}}<table><thead><tr><th scope="col">Signed in</th><th scope="col">With</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead>
    <tbody>{{#rows}}<tr><td><time datetime="{{createdAt}}">{{createdAt}}</time>{{#current}} <strong>(this browser)</strong>{{/current}}</td><td>{{method}}</td><td>{{role}}</td><td><time datetime="{{expiresAt}}">{{expiresAt}}</time></td>
    <td><form method="post" action="/sessions/{{id}}/end"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger">End{{#current}} (signs you out){{/current}}</button></form></td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^rows}}<p class="empty">An API key has no browser sessions.</p>{{/rows}}
    {{/content}}{{/layout}}
    """#

    static let dismissalRequests = #"""
    {{<layout}}{{$content}}
    <p>With four-eyes triage, a dismissal waits here until someone other than its requester approves it; the requester may withdraw it.</p>
    {{#hasRows}}<table><thead><tr><th scope="col">Finding</th><th scope="col">Requested</th><th scope="col">Reason</th><th scope="col"><span class="visually-hidden">Decision</span></th></tr></thead>
    <tbody>{{#rows}}<tr><td><a href="/findings/{{findingID}}">Finding {{findingID}}</a></td><td>by {{requestedBy}} on <time datetime="{{requestedAt}}">{{requestedAt}}</time></td><td>{{reason}}{{#comment}}<br><span class="message">“{{.}}”</span>{{/comment}}</td>
    <td>{{#mayTriage}}{{^mine}}<form method="post" action="/dismissal-requests/{{id}}/approval"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" aria-label="Approve the dismissal of finding {{findingID}}">Approve</button></form>{{/mine}}
    <form method="post" action="/dismissal-requests/{{id}}/rejection"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger" aria-label="{{#mine}}Withdraw{{/mine}}{{^mine}}Reject{{/mine}} the dismissal of finding {{findingID}}">{{#mine}}Withdraw{{/mine}}{{^mine}}Reject{{/mine}}</button></form>{{/mayTriage}}</td></tr>{{/rows}}</tbody></table>{{/hasRows}}
    {{^hasRows}}<p class="empty">No dismissal waits for approval.</p>{{/hasRows}}
    {{/content}}{{/layout}}
    """#

    static let problem = #"""
    {{<layout}}{{$content}}
    <p>{{detail}}</p>
    <p><a href="{{back}}">Go back</a></p>
    {{/content}}{{/layout}}
    """#
}
