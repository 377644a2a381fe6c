/// The console's Mustache templates and style sheet. `{{name}}` escapes for HTML; `{{{body}}}` is
/// used only for a page body that was itself rendered from these templates. No template holds a
/// script or an inline style: the Content-Security-Policy allows neither.
enum ConsoleTemplates {
    static let all: [String: String] = [
        "layout": layout, "login": login, "gaps": gaps, "nuggets": nuggets, "quizzes": quizzes, "people": people, "try": tryIt,
        "period": period, "message": message,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · FlowLearn console</title>
        <link rel="stylesheet" href="/console/style.css">
        </head>
        <body>
        {{#user}}
        <header>
        <nav>
        <span class="brand">FlowLearn</span>
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}
        <form method="post" action="/console/logout" class="logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" id="logout">Sign out {{user}}</button>
        </form>
        </nav>
        </header>
        {{/user}}
        <main>
        <h1>{{title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{{body}}}
        </main>
        </body>
        </html>

        """

    static let login = """
        <form method="post" action="/console/login" class="login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="name">Name</label>
        <input id="name" name="name" autocomplete="username" required value="{{name}}">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required>
        <button type="submit" id="sign-in">Sign in</button>
        </form>

        """

    static let period = """
        <p class="period">Period: {{#periods}}<a href="{{href}}"{{#current}} aria-current="true"{{/current}}>{{label}}</a> {{/periods}}</p>

        """

    static let message = """
        <p>{{text}}</p>
        {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}

        """

    static let gaps = """
        {{>period}}
        <p class="summary"><span id="cluster-count">{{clusterCount}}</span> cluster(s) from <span id="question-count">{{questionCount}}</span> unanswered or unsure question(s), most asked first.
        {{#showAll}}<a href="{{openOnlyHref}}">Open ones only</a>{{/showAll}}{{^showAll}}<a href="{{allHref}}">Show done and ignored too</a>{{/showAll}}
        · <a href="{{csvHref}}" id="gaps-csv">Download CSV</a></p>
        {{#clusters}}
        <section class="cluster" id="cluster-{{anchor}}">
        <h2>{{label}} <span class="badge {{status}}">{{status}}</span></h2>
        <p class="meta">{{count}} question(s) from {{people}} people · first {{first}} · last {{last}}</p>
        <ul class="samples">{{#samples}}<li>{{.}}</li>{{/samples}}</ul>
        {{#hasNearest}}<p class="meta">Nearest nuggets: {{#nearest}}<span class="nugget">{{id}}</span> ({{title}}, {{questions}}) {{/nearest}}</p>{{/hasNearest}}
        <form method="post" action="/console/gaps/mark" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="key" value="{{key}}">
        <input type="hidden" name="days" value="{{days}}">
        <button type="submit" name="status" value="done">Mark done</button>
        <button type="submit" name="status" value="ignored">Ignore</button>
        {{^isOpen}}<button type="submit" name="status" value="open">Reopen</button>{{/isOpen}}
        </form>
        </section>
        {{/clusters}}
        {{^clusters}}<p class="empty">No unanswered questions in this period.</p>{{/clusters}}

        """

    static let nuggets = """
        {{>period}}
        <p class="summary">{{nuggetCount}} nugget(s), {{staleCount}} stale (reviewed more than {{staleAfterDays}} days ago). · <a href="{{csvHref}}" id="nuggets-csv">Download CSV</a></p>
        <div class="table-wrap">
        <table id="nuggets">
        <thead><tr>{{#columns}}<th scope="col">{{#href}}<a href="{{href}}">{{label}}{{#arrow}} {{arrow}}{{/arrow}}</a>{{/href}}{{^href}}{{label}}{{/href}}</th>{{/columns}}</tr></thead>
        <tbody>
        {{#rows}}
        <tr{{#stale}} class="stale"{{/stale}}>
        <td><span class="nugget">{{id}}</span><br>{{title}}</td>
        <td>{{owner}}</td>
        <td>{{reviewed}}{{#stale}} <span class="badge stale">stale</span>{{/stale}}</td>
        <td class="n">{{served}}</td>
        <td class="n">{{offered}}</td>
        <td class="n">{{helpful}}</td>
        <td class="n">{{notHelpful}}</td>
        <td class="n">{{nudged}}</td>
        <td class="n">{{nudgeFeedback}}</td>
        <td class="n">{{quizQuestions}}</td>
        <td class="n">{{passRate}}</td>
        </tr>
        {{/rows}}
        </tbody>
        </table>
        </div>
        <h2>Stale nuggets by owner</h2>
        {{#staleOwners}}
        <h3>{{owner}}</h3>
        <ul>{{#nuggets}}<li><span class="nugget">{{id}}</span> {{title}}: reviewed {{reviewed}} ({{days}} days ago), served {{served}} time(s)</li>{{/nuggets}}</ul>
        {{/staleOwners}}
        {{^staleOwners}}<p class="empty">Nothing is stale.</p>{{/staleOwners}}

        """

    static let quizzes = """
        {{>period}}
        <h2>Proficiency by topic</h2>
        <p class="meta">For each person and question answered in the period: right the first time, and right the latest time. · <a href="{{topicsCSV}}">CSV</a></p>
        <div class="table-wrap">
        <table id="topics">
        <thead><tr><th scope="col">Topic</th><th scope="col">Questions</th><th scope="col">Person × question</th><th scope="col">First answer</th><th scope="col">Latest answer</th></tr></thead>
        <tbody>{{#topics}}<tr><td>{{topic}}</td><td class="n">{{questions}}</td><td class="n">{{attempts}}</td><td class="n">{{first}}</td><td class="n">{{latest}}</td></tr>{{/topics}}</tbody>
        </table>
        </div>
        <h2>Hardest questions</h2>
        <p class="meta">Answered at least {{minimumAnswers}} times, lowest pass rate first. · <a href="{{hardestCSV}}">CSV</a></p>
        <div class="table-wrap">
        <table id="hardest">
        <thead><tr><th scope="col">Question</th><th scope="col">Nugget</th><th scope="col">Answers</th><th scope="col">People</th><th scope="col">Pass rate</th></tr></thead>
        <tbody>{{#hardest}}<tr><td>{{prompt}}<br><span class="meta">{{id}}</span></td><td><span class="nugget">{{nuggetID}}</span></td><td class="n">{{answers}}</td><td class="n">{{people}}</td><td class="n">{{passRate}}</td></tr>{{/hardest}}</tbody>
        </table>
        </div>
        {{^hardest}}<p class="empty">No question has enough answers yet.</p>{{/hardest}}
        <h2>Leeches</h2>
        <p class="meta">Questions someone has forgotten {{leechLapses}} times: no longer scheduled for them. · <a href="{{leechesCSV}}">CSV</a></p>
        <div class="table-wrap">
        <table id="leeches">
        <thead><tr><th scope="col">Question</th><th scope="col">Nugget</th><th scope="col">Owner</th><th scope="col">People</th><th scope="col">Since</th></tr></thead>
        <tbody>{{#leeches}}<tr><td>{{prompt}}<br><span class="meta">{{id}}</span></td><td><span class="nugget">{{nuggetID}}</span></td><td>{{owner}}</td><td class="n">{{learners}}</td><td>{{since}}</td></tr>{{/leeches}}</tbody>
        </table>
        </div>
        {{^leeches}}<p class="empty">No leeches.</p>{{/leeches}}

        """

    static let people = """
        {{>period}}
        <p class="summary">People active in the period, per platform. · <a href="{{csvHref}}" id="people-csv">Download CSV</a></p>
        <div class="table-wrap">
        <table id="platforms">
        <thead><tr><th scope="col">Platform</th><th scope="col">Asked a question</th><th scope="col">Answered a quiz</th><th scope="col">Nudges on (now)</th></tr></thead>
        <tbody>{{#platforms}}<tr><td>{{platform}}</td><td class="n">{{askers}}</td><td class="n">{{quizTakers}}</td><td class="n">{{nudgeSubscribers}}</td></tr>{{/platforms}}</tbody>
        </table>
        </div>
        {{^platforms}}<p class="empty">No one yet.</p>{{/platforms}}
        {{#showNames}}
        <h2>Most active people</h2>
        <div class="table-wrap">
        <table id="people">
        <thead><tr><th scope="col">Platform</th><th scope="col">User</th><th scope="col">Questions</th><th scope="col">Quiz answers</th><th scope="col">Last seen</th></tr></thead>
        <tbody>{{#people}}<tr><td>{{platform}}</td><td>{{user}}</td><td class="n">{{questions}}</td><td class="n">{{quizAnswers}}</td><td>{{lastSeen}}</td></tr>{{/people}}</tbody>
        </table>
        </div>
        {{/showNames}}
        {{^showNames}}<p class="meta">Names are hidden: counts only (<code>console.showPeopleNames</code> is off).</p>{{/showNames}}

        """

    static let tryIt = """
        <form method="post" action="/console/try" class="try">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="q">A question, as someone would type it in chat</label>
        <textarea id="q" name="q" rows="2" maxlength="2000" required>{{question}}</textarea>
        <button type="submit" id="try">Try it</button>
        </form>
        <p class="meta">Nothing typed here is logged as a question. Engine: {{engine}}.</p>
        {{#asked}}
        <section id="decision">
        <h2>Decision: {{decision}}</h2>
        <p>{{decisionDetail}}</p>
        </section>
        <div class="table-wrap">
        <table id="candidates">
        <thead><tr><th scope="col">#</th><th scope="col">Nugget</th><th scope="col">Confidence</th><th scope="col">Score</th><th scope="col">Closest example</th><th scope="col">Shared words</th></tr></thead>
        <tbody>{{#candidates}}<tr><td class="n">{{rank}}</td><td><span class="nugget">{{id}}</span><br>{{title}}</td><td class="n">{{confidence}}</td><td class="n">{{score}}</td><td>{{#example}}“{{example}}” ({{similarity}}){{/example}}</td><td>{{words}}</td></tr>{{/candidates}}</tbody>
        </table>
        </div>
        {{^candidates}}<p class="empty">No nugget shares anything with this question.</p>{{/candidates}}
        {{/asked}}

        """

    static let style = """
        :root { color-scheme: light dark; --accent: #2f6f4f; --muted: #666; --line: #ddd; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        header { border-bottom: 1px solid var(--line); padding: .5rem 1rem; }
        nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
        nav a { text-decoration: none; color: inherit; padding: .25rem 0; }
        nav a[aria-current] { border-bottom: 2px solid var(--accent); font-weight: 600; }
        .brand { font-weight: 700; color: var(--accent); }
        .logout { margin-left: auto; }
        main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
        h1 { font-size: 1.5rem; margin-top: 0; }
        h2 { font-size: 1.15rem; }
        .notice { background: #fff6d6; color: #222; padding: .5rem .75rem; border-radius: 4px; }
        .period a { margin-right: .5rem; }
        .period a[aria-current] { font-weight: 700; }
        .meta, .empty { color: var(--muted); }
        .cluster { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; margin: .75rem 0; }
        .cluster h2 { margin: .25rem 0; }
        .samples li { margin: .15rem 0; }
        .badge { font-size: .75rem; padding: .05rem .4rem; border-radius: 999px; border: 1px solid var(--line); font-weight: 400; }
        .badge.done { background: #dff3e4; color: #174d2a; }
        .badge.ignored { background: #eee; color: #444; }
        .badge.stale { background: #fde2e1; color: #7a1c16; }
        .nugget { font-family: ui-monospace, monospace; font-size: .9em; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.stale td:first-child { border-left: 3px solid #c0392b; }
        form.inline { display: flex; gap: .5rem; flex-wrap: wrap; margin: .5rem 0; }
        form.login, form.try { display: grid; gap: .5rem; max-width: 32rem; }
        input, textarea, button { font: inherit; padding: .4rem .6rem; }
        button { cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; }
        form.inline button[value=ignored], form.inline button[value=open], .logout button { background: transparent; color: inherit; }
        @media (max-width: 40rem) { main { padding: .5rem; } th, td { padding: .3rem; font-size: .9rem; } }

        """
}
