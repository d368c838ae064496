-- Help-center bench data: :n published articles (default 10,000) for the tenant
-- set in app.tenant_id, in 40 topics with their own vocabulary over a shared
-- one, 3 to 5 H2 sections each, so a topic word matches about 1 article in 40
-- and a generic word most of them.  Run by scripts/kb-bench-data inside one
-- transaction; `mpanelctl kb-render` then renders them.  Reruns add nothing.

INSERT INTO kb_categories (tenant_id, slug, name, description, position)
SELECT mp_tenant(), 'bench-' || g, 'Bench topic ' || g, 'Generated for scripts/bench.', g
FROM generate_series(1, 8) g
ON CONFLICT (tenant_id, slug) DO NOTHING;

WITH topic(i, words) AS (
    SELECT row_number() OVER () - 1, w FROM unnest(ARRAY[
        'dns nameserver propagation resolver', 'ssl certificate renewal issuer',
        'mailbox imap quota folder', 'wordpress plugin theme dashboard',
        'invoice payment card refund', 'backup snapshot restore archive',
        'sftp upload permissions folder', 'php memory version extension',
        'database mysql import export', 'domain transfer registrar authcode',
        'spam filter quarantine blocklist', 'forwarding alias redirect destination',
        'cache varnish purge headers', 'cron schedule task interval',
        'firewall ddos ratelimit blocklist', 'subdomain wildcard vhost alias',
        'redirect htaccess rewrite canonical', 'staging clone preview deploy',
        'git repository branch deploy', 'nodejs runtime process restart',
        'python virtualenv wsgi package', 'ssh key terminal login',
        'twofactor authenticator recovery login', 'reseller whitelabel client plan',
        'cdn edge latency purge', 'ipv6 address record reverse',
        'webmail roundcube signature filter', 'autoresponder vacation reply schedule',
        'dkim signature selector key', 'dmarc policy report alignment',
        'spf include lookup softfail', 'caa issuer record policy',
        'mx priority exchanger delivery', 'txt verification record token',
        'bandwidth traffic usage overage', 'storage disk inode usage',
        'logs access error rotation', 'malware scan cleanup quarantine',
        'migration transfer cutover downtime', 'api token scope automation'
    ]) w
),
generic(words) AS (
    SELECT ARRAY['open', 'panel', 'settings', 'click', 'save', 'change', 'check',
        'account', 'site', 'website', 'server', 'hosting', 'control', 'choose',
        'enter', 'value', 'wait', 'minutes', 'hours', 'email', 'support', 'ticket',
        'error', 'message', 'problem', 'works', 'update', 'new', 'old', 'remove',
        'add', 'list', 'page', 'link', 'button', 'option', 'default', 'custom',
        'secure', 'fast', 'plan', 'limit', 'help', 'guide', 'step', 'first',
        'then', 'finally', 'usually', 'sometimes', 'visitors', 'browser']
),
art AS (
    SELECT g, (g % 40) AS t, (g * 7919) % 1000 AS seed
    FROM generate_series(1, coalesce(nullif(current_setting('kb.bench_n', true), ''), '10000')::int) g
),
words AS (
    SELECT a.g, a.t, a.seed, string_to_array(tp.words, ' ') AS tw, ge.words AS gw
    FROM art a JOIN topic tp ON tp.i = a.t CROSS JOIN generic ge
)
INSERT INTO kb_articles (tenant_id, slug, title, summary, body_md, category_id,
    tags, status, author_name, published_at, boost)
SELECT mp_tenant(),
       'bench-' || w.g,
       initcap(w.tw[1 + w.seed % 4]) || ' ' || w.tw[1 + (w.seed / 4) % 4] || ' guide ' || w.g,
       'How to ' || w.gw[1 + w.seed % 52] || ' your ' || w.tw[1 + (w.seed / 3) % 4] || ' ' ||
           w.tw[1 + (w.seed / 5) % 4] || ' settings.',
       (SELECT string_agg('## ' || initcap(w.tw[1 + (w.seed + s) % 4]) || ' ' ||
            w.gw[1 + (w.seed * s) % 52] || E'\n\n' ||
            (SELECT string_agg(CASE WHEN (w.seed + s * k) % 3 = 0
                 THEN w.tw[1 + (w.seed + k) % 4] ELSE w.gw[1 + (w.seed * k + s) % 52] END, ' ')
             FROM generate_series(1, 60 + (w.seed + s) % 40) k) || E'.\n\n' ||
            CASE WHEN s = 2 THEN E'| Setting | Value |\n|---|---|\n| ' || w.tw[1] ||
                 ' | ' || w.gw[1 + w.seed % 52] || E' |\n\n' ELSE '' END, '')
        FROM generate_series(1, 3 + w.seed % 3) s),
       (SELECT id FROM kb_categories WHERE slug = 'bench-' || (1 + w.g % 8)),
       ARRAY[w.tw[1], w.tw[2]],
       'published', 'Bench', now() - make_interval(days => w.g % 365),
       CASE WHEN w.g % 50 = 0 THEN 2 ELSE 1 END
FROM words w
ON CONFLICT (tenant_id, slug) DO NOTHING;
