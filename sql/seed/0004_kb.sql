-- Demo help center for each demo tenant: categories (one level of nesting) and
-- 45 published hosting articles in markdown, one draft and one archived article,
-- and some view history so "popular" means something.  The stored HTML, text
-- and sections are made by `mpanelctl kb-render`, which seed-demo runs after
-- the seed files.  Idempotent: ON CONFLICT DO NOTHING throughout.

INSERT INTO kb_categories (tenant_id, slug, name, description, position)
VALUES
    (mp_tenant(), 'domains-dns', 'Domains and DNS',
     'Register, transfer and point domains; manage DNS records.', 1),
    (mp_tenant(), 'ssl', 'SSL and HTTPS',
     'Certificates, HTTPS redirects and browser warnings.', 2),
    (mp_tenant(), 'email', 'Email',
     'Mailboxes, forwarding, spam and delivery.', 3),
    (mp_tenant(), 'wordpress', 'WordPress',
     'Installing, speeding up and repairing WordPress sites.', 4),
    (mp_tenant(), 'billing', 'Billing and account',
     'Invoices, payment methods, plans and refunds.', 5),
    (mp_tenant(), 'backups', 'Backups and restores',
     'What we back up, for how long, and how to get it back.', 6),
    (mp_tenant(), 'hosting', 'Websites and files',
     'Uploading files, PHP settings and everyday site management.', 7)
ON CONFLICT (tenant_id, slug) DO NOTHING;

INSERT INTO kb_categories (tenant_id, slug, name, description, parent_id, position)
SELECT mp_tenant(), v.slug, v.name, v.description, p.id, v.position
FROM (VALUES
    ('dns-records', 'DNS records', 'A, CNAME, MX, TXT and friends.', 'domains-dns', 1),
    ('domain-transfers', 'Transfers and renewals', 'Moving domains and keeping them.', 'domains-dns', 2),
    ('email-apps', 'Email apps and devices', 'Outlook, Apple Mail, phones and tablets.', 'email', 1)
) AS v(slug, name, description, parent, position)
JOIN kb_categories p ON p.tenant_id = mp_tenant() AND p.slug = v.parent
ON CONFLICT (tenant_id, slug) DO NOTHING;

-- Demo ids are opaque but stable (derived from tenant and slug), so a reseed
-- keeps links and scripts/bench can name an article page.
INSERT INTO kb_articles (tenant_id, public_id, slug, title, summary, body_md,
    category_id, tags, status, author_name, locale, created_at, updated_at,
    published_at)
SELECT mp_tenant(),
       substr(md5(current_setting('app.tenant_slug') || ':' || v.slug), 1, 12),
       v.slug, v.title, v.summary,
       replace(v.body, '{{company}}', t.name), c.id, v.tags, v.status,
       'Support team', 'en',
       now() - make_interval(days => v.age + 30),
       now() - make_interval(days => v.age),
       CASE WHEN v.status = 'published' THEN now() - make_interval(days => v.age + 30) END
FROM tenants t
CROSS JOIN (VALUES
('point-domain-nameservers', 'domains-dns', 'Point your domain to our nameservers',
 'Change the nameservers at your registrar so your domain uses our DNS and hosting.',
 ARRAY['dns','nameservers','domains'], 3, 'published', $md$
If you registered your domain somewhere else, the quickest way to connect it to your {{company}} hosting is to change its **nameservers**. Once the change is live, we answer every DNS question for the domain and you manage all records from your control panel.

## Our nameservers

| Nameserver | Address |
|---|---|
| ns1.example-dns.net | 192.0.2.53 |
| ns2.example-dns.net | 198.51.100.53 |

Use both. Some registrars ask for three or four; two are enough.

## Change them at your registrar

1. Sign in at the company where you bought the domain.
2. Find the domain's **DNS** or **Nameservers** settings.
3. Choose *custom nameservers* and enter the two names above.
4. Save. Remove any old nameservers that are still listed.

## How long it takes

Registries usually publish the change within an hour, but resolvers around the world may keep the old answer for up to 48 hours. See [why DNS changes take time](/help/search?q=dns+propagation).

## Keep your own DNS instead

If you would rather keep DNS with your registrar, leave the nameservers alone and add an A record for your site and MX records for email instead.
$md$),
('dns-record-types', 'dns-records', 'DNS record types explained',
 'What A, AAAA, CNAME, MX, TXT, CAA and SRV records do, with examples.',
 ARRAY['dns','records'], 10, 'published', $md$
A DNS zone is a list of records. Each record has a **name** (the host it describes), a **type**, a **value** and a **TTL** (how many seconds resolvers may cache it).

## The common types

| Type | What it points to | Example value |
|---|---|---|
| A | An IPv4 address | 203.0.113.10 |
| AAAA | An IPv6 address | 2001:db8::10 |
| CNAME | Another host name | shop.example-store.com |
| MX | A mail server, with a priority | 10 mx1.example-mail.net |
| TXT | Free text: SPF, verification codes | v=spf1 include:_spf.example-mail.net ~all |
| CAA | Which certificate authorities may issue | 0 issue "letsencrypt.org" |
| SRV | A service on a host and port | 10 5 5060 sip.example.com |

## TTL

A lower TTL (300 seconds) makes future changes appear faster; a higher one (3600 or more) means fewer lookups. Lower the TTL a day **before** a planned move, then raise it again afterwards.

## The @ name

`@` stands for the domain itself, for example `example.com` without any prefix.
$md$),
('add-a-record', 'dns-records', 'Add or change an A record',
 'Point a domain or subdomain at a server by its IP address.',
 ARRAY['dns','records','a-record'], 21, 'published', $md$
An **A record** connects a name such as `www.example.com` to an IPv4 address.

## Add the record

1. Open **Domains → DNS zone** in your control panel.
2. Click **Add record** and choose type **A**.
3. In *Name*, enter `@` for the bare domain or a prefix such as `www` or `shop`.
4. In *Value*, enter the IP address, for example `203.0.113.10`.
5. Leave the TTL at 3600 unless you expect to change it soon.

## Change an existing record

Edit the value in place rather than adding a second A record with the same name: two A records make visitors land on either server at random.

## Check your work

Run `dig +short www.example.com A` on a Mac or Linux computer, or `nslookup www.example.com` on Windows. If you still see the old address, the old value is cached; wait for the TTL to expire.
$md$),
('cname-vs-a', 'dns-records', 'When to use a CNAME instead of an A record',
 'CNAMEs follow another host name; A records pin an address. Here is how to choose.',
 ARRAY['dns','cname','a-record'], 35, 'published', $md$
Both record types send visitors somewhere, but they work differently.

## Use a CNAME when

- a service gives you a **host name** to point at (a shop platform, a CDN, a mail verification host);
- the provider may change its IP addresses without telling you.

A CNAME says "this name is an alias of that name", so your record keeps working when their addresses change.

## Use an A record when

- you were given an **IP address**;
- the record is for the bare domain (`@`). DNS does not allow a CNAME at the zone apex next to the MX and NS records the domain needs.

## A CNAME cannot share its name

A name with a CNAME may have no other records. If `shop` has a CNAME, you cannot also add an MX or TXT record for `shop`.

| You were given | Name | Record |
|---|---|---|
| shops.example-platform.com | shop | CNAME |
| 203.0.113.25 | @ | A |
| 203.0.113.25 | www | A (or CNAME to @) |
$md$),
('mx-records', 'dns-records', 'Set up MX records for email',
 'MX records tell other mail servers where to deliver mail for your domain.',
 ARRAY['dns','email','mx'], 14, 'published', $md$
Without correct **MX records**, mail sent to your domain bounces or goes to the wrong place.

## Our mail servers

| Priority | Mail server |
|---|---|
| 10 | mx1.example-mail.net |
| 20 | mx2.example-mail.net |

Senders try the lowest number first and fall back to the next one.

## Add them

1. Open **Domains → DNS zone**.
2. Delete any MX records from your previous email provider.
3. Add two MX records with name `@` and the values above.
4. Add the SPF record described in [SPF, DKIM and DMARC](/help/search?q=spf+dkim).

## Using another email provider

If your mail is hosted elsewhere (for example a business suite), enter *their* MX records instead and do not create mailboxes with us for that domain: our servers would deliver local mail to the wrong mailbox.
$md$),
('dns-propagation', 'domains-dns', 'Why DNS changes take time to appear',
 'Caching resolvers keep old answers until the TTL runs out. What you can and cannot speed up.',
 ARRAY['dns','propagation','troubleshooting'], 40, 'published', $md$
You changed a record, but your browser still shows the old site. The change is not lost: it is **cached**.

## What is happening

Every internet provider runs resolvers that remember DNS answers for as long as the record's TTL allows. Until that time runs out, they keep giving the old answer. Nameserver changes take longest, because registries and resolvers cache those for up to two days.

## What you can do

- Check the authoritative answer with `dig @ns1.example-dns.net example.com`. If it is right, you only need to wait.
- Flush your computer's cache: `ipconfig /flushdns` on Windows, or restart the browser.
- Try from a phone on mobile data, which uses different resolvers.

## Plan ahead next time

Lower the TTL to 300 seconds a day before a move. After the move, changes appear within minutes; raise the TTL again once everything works.
$md$),
('transfer-domain-in', 'domain-transfers', 'Transfer a domain to us',
 'Unlock the domain, get the authorisation code and start the transfer; most finish within a week.',
 ARRAY['domains','transfer'], 60, 'published', $md$
Moving a domain to {{company}} keeps your site and email running as long as DNS stays the same during the move.

## Before you start

- The domain must be older than 60 days and not transferred in the last 60 days.
- Turn off **WHOIS privacy** and the **transfer lock** at your current registrar.
- Make sure the owner email address works: the registry may write to it.

## Start the transfer

1. Ask your current registrar for the **authorisation code** (also called EPP code).
2. In your control panel, open **Domains → Transfer in** and enter the domain and the code.
3. Pay for the transfer. It adds one year to the registration.
4. Approve the email from the registry if one arrives.

## How long it takes

| Domain ending | Usual time |
|---|---|
| .com, .net, .org | 5 to 7 days |
| .uk | a few hours (change of IPS tag) |
| .de, .nl | 1 to 2 days |

Your DNS records are copied when the transfer completes. Nothing changes for visitors.
$md$),
('domain-auto-renew', 'domain-transfers', 'Domain renewal and auto-renew',
 'How renewals are charged, what happens when a domain expires and how to turn auto-renew on or off.',
 ARRAY['domains','renewal','billing'], 18, 'published', $md$
Domains are registered for a fixed period. We remind you **30, 14 and 3 days** before the expiry date.

## Auto-renew

Auto-renew is on by default. We charge your saved payment method 14 days before expiry, so there is time to fix a failed payment. Turn it off under **Domains → your domain → Renewal**.

## If a domain expires

| Days after expiry | What happens | Cost to recover |
|---|---|---|
| 0 to 30 | Site and email stop; you can renew normally | Normal renewal |
| 31 to 60 | Redemption period at the registry | Renewal plus a redemption fee |
| After 60 | The domain is released for anyone to register | Not recoverable |

## Renew for several years

You can renew for up to ten years at once. The new expiry date is added to the current one, so renewing early never loses time.
$md$),
('whois-privacy', 'domain-transfers', 'Hide your details with WHOIS privacy',
 'Replace your name, address and email in the public WHOIS with our privacy service.',
 ARRAY['domains','privacy','whois'], 90, 'published', $md$
Registries publish contact details for every domain in **WHOIS**. Privacy protection replaces your details with ours, and forwards genuine messages to you.

## Turn it on

Open **Domains → your domain → Privacy** and switch it on. It is free for the domain endings that support it.

## Endings without privacy

Some registries do not allow it, usually because they already hide personal data:

- **.uk** hides the address of individuals automatically.
- **.eu** and **.de** publish no personal data.
- **.us** does not allow privacy for any domain.

## Transfers

Turn privacy off before transferring a domain away: the new registrar needs to reach the real owner.
$md$),
('subdomains', 'domains-dns', 'Create a subdomain',
 'Add blog.example.com or shop.example.com with its own folder or its own destination.',
 ARRAY['dns','subdomains','hosting'], 25, 'published', $md$
A **subdomain** is a prefix in front of your domain, such as `blog.example.com`. It can host a separate site or point somewhere else.

## A separate site in your hosting

1. Open **Websites → Subdomains** and click **Add**.
2. Enter the prefix, for example `blog`.
3. Choose the folder for its files; we suggest `subdomains/blog`.
4. We add the DNS record and an SSL certificate automatically.

## Point it at another service

If the subdomain belongs to another service, do not create it under Websites. Add a **CNAME** record in the DNS zone with the host name the service gave you.

## Wildcards

A `*` record answers for every subdomain that has no record of its own. Use it with care: typos then reach your site instead of failing.
$md$),
('free-ssl-certificate', 'ssl', 'Get a free SSL certificate for your site',
 'Every site and subdomain gets a free certificate that renews by itself. Here is how to check it.',
 ARRAY['ssl','https','certificates'], 2, 'published', $md$
All websites hosted with {{company}} get a free **SSL certificate** from Let's Encrypt. It encrypts the connection and shows the padlock in the browser.

## Issuing

We request the certificate automatically when the domain points to us. If the domain still points elsewhere, issuing waits and retries every few hours.

## Check the status

Open **Websites → your site → SSL/TLS**. You will see one of:

| Status | Meaning |
|---|---|
| Active | The certificate is installed and valid |
| Pending | Waiting for the domain's DNS to point to us |
| Failed | The last attempt did not pass validation |

## Renewal

Certificates last 90 days and renew about 30 days before expiry. You do not need to do anything. If renewal fails, we email you; see [what to do when renewal fails](/help/search?q=ssl+renewal+failed).
$md$),
('force-https', 'ssl', 'Redirect all visitors to HTTPS',
 'Send every http:// request to https:// with one switch or a few lines of .htaccess.',
 ARRAY['ssl','https','redirects','htaccess'], 12, 'published', $md$
Once your certificate is **Active**, make sure nobody reaches the unencrypted version of your site.

## The switch

Open **Websites → your site → SSL/TLS** and turn on **Always use HTTPS**. We answer every `http://` request with a permanent redirect to the same address on `https://`.

## With .htaccess

If you prefer to control it yourself, add this at the top of `.htaccess` in your site's folder:

```apache
RewriteEngine On
RewriteCond %{HTTPS} off
RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [L,R=301]
```

Use one method, not both.

## HSTS

After a week without problems, turn on **HSTS** so browsers go straight to HTTPS next time. Only do this when every subdomain has a certificate.
$md$),
('mixed-content', 'ssl', 'Fix mixed content warnings',
 'The padlock is missing because the page loads images or scripts over http://. Find and fix them.',
 ARRAY['ssl','https','troubleshooting','wordpress'], 8, 'published', $md$
A page served over HTTPS that loads anything over plain HTTP is **mixed content**. Browsers block scripts loaded that way and show a warning instead of the padlock.

## Find the culprits

Open the browser's developer tools (F12) and look at the **Console**. Each warning names the file, for example an image at `http://example.com/logo.png` or a tag like `<script src="http://cdn.example.com/app.js">`.

## Fix them

- Change the addresses in your pages and templates from `http://` to `https://`, or to relative addresses starting with `/`.
- In WordPress, set both addresses under **Settings → General** to `https://`, then replace old addresses in the database with a search-and-replace plugin.
- For third-party scripts, check the provider offers HTTPS; almost all do.

## Still stuck?

Clear your site's cache and your browser cache after the changes, then reload.
$md$),
('install-custom-ssl', 'ssl', 'Install a certificate you bought elsewhere',
 'Upload the certificate, private key and chain for an extended validation or organisation certificate.',
 ARRAY['ssl','certificates'], 75, 'published', $md$
You can use a paid certificate instead of the free one, for example an **OV** or **EV** certificate your company requires.

## What you need

| File | Looks like |
|---|---|
| Certificate | `-----BEGIN CERTIFICATE-----` |
| Private key | `-----BEGIN PRIVATE KEY-----` |
| Intermediate chain | One or more certificates from the authority |

Generate the key and signing request in **SSL/TLS → Create CSR** so the private key never leaves our servers, or upload your own.

## Install

1. Open **Websites → your site → SSL/TLS → Custom certificate**.
2. Paste the certificate, the key and the chain.
3. Click **Install**. We check that the key matches and the chain is complete.

## Renewal

Paid certificates do not renew by themselves. We remind you 30 days before expiry; install the new files the same way.
$md$),
('ssl-renewal-failed', 'ssl', 'What to do when certificate renewal fails',
 'Renewal fails when the domain no longer points to us or a CAA record forbids the issuer.',
 ARRAY['ssl','certificates','troubleshooting'], 5, 'published', $md$
We try to renew certificates 30 days before they expire. If validation fails we retry daily and email you.

## Common causes

1. **The domain points elsewhere.** Check the A record of the domain and of `www` with `dig +short`.
2. **A CAA record forbids Let's Encrypt.** Add `0 issue "letsencrypt.org"` or remove the CAA record.
3. **A redirect or firewall blocks validation.** Requests to `/.well-known/acme-challenge/` must reach us over plain HTTP.
4. **IPv6 points to an old server.** Delete stale AAAA records.

## Try again

After fixing the cause, open **SSL/TLS** and click **Renew now**. It usually takes less than a minute.

## If the certificate already expired

Visitors see a warning until the new certificate is installed. Renewing works the same way; there is nothing extra to do.
$md$),
('wildcard-certificates', 'ssl', 'Wildcard certificates',
 'One certificate for every subdomain: when you need one and how to get it.',
 ARRAY['ssl','certificates','subdomains'], 120, 'published', $md$
A **wildcard certificate** covers `*.example.com`: any single-level subdomain.

## Do you need one?

| Situation | Best choice |
|---|---|
| A few named subdomains | Free certificate per subdomain (automatic) |
| Many subdomains created by an app | Wildcard |
| Sub-subdomains like `a.b.example.com` | A separate certificate |

## Getting a free wildcard

Wildcards are validated through DNS, so your domain must use **our nameservers**. Then open **SSL/TLS → Wildcard** and click **Issue**. We add the validation TXT record ourselves.

## With DNS elsewhere

If your DNS is hosted elsewhere, buy a wildcard from a certificate authority and install it as a custom certificate.
$md$),
('create-mailbox', 'email', 'Create an email account',
 'Add a mailbox such as you@example.com, set its password and its storage limit.',
 ARRAY['email','mailbox'], 4, 'published', $md$
Your plan includes mailboxes on your own domain.

## Create it

1. Open **Email → Mailboxes** and click **New mailbox**.
2. Enter the address, for example `hello@example.com`.
3. Set a password of at least 12 characters, or let us generate one.
4. Choose the storage limit; you can change it later.

## Start using it

- Read mail in the browser at **webmail** under your domain.
- Or add the account to an app with the [IMAP and SMTP settings](/help/search?q=imap+smtp+settings).

## Make sure mail arrives

The domain's MX records must point to us. If you just moved the domain, allow up to a day for the change to spread.
$md$),
('email-client-settings', 'email-apps', 'IMAP, POP3 and SMTP settings',
 'Server names, ports and encryption for setting up your mailbox in any email app.',
 ARRAY['email','imap','smtp','pop3'], 9, 'published', $md$
Use these settings in any email app. Your **username** is the full email address.

## Incoming and outgoing servers

| Protocol | Server | Port | Encryption |
|---|---|---|---|
| IMAP (recommended) | mail.example-mail.net | 993 | SSL/TLS |
| POP3 | mail.example-mail.net | 995 | SSL/TLS |
| SMTP | mail.example-mail.net | 465 | SSL/TLS |
| SMTP (alternative) | mail.example-mail.net | 587 | STARTTLS |

Outgoing mail needs **authentication** with the same username and password.

## IMAP or POP3?

IMAP keeps mail on the server, so your phone and computer stay in step. POP3 downloads mail to one device and is only useful when you need everything offline on a single computer.

## Port 25

Many internet providers block port 25. Always use 465 or 587 for sending.
$md$),
('spf-dkim-dmarc', 'email', 'Set up SPF, DKIM and DMARC',
 'Three DNS records that prove your mail is genuine and keep it out of spam folders.',
 ARRAY['email','dns','spf','dkim','dmarc','deliverability'], 6, 'published', $md$
Big mailbox providers now reject or junk mail from domains without these records.

## SPF

One **TXT** record on `@` listing who may send for the domain:

```
v=spf1 include:_spf.example-mail.net ~all
```

Only one SPF record is allowed. If you also send through a newsletter service, add its `include:` to the same record.

## DKIM

DKIM signs every message. Open **Email → Authentication**, click **Enable DKIM** and we publish the key record for you (or show it if your DNS is elsewhere).

## DMARC

DMARC tells receivers what to do with mail that fails both checks. Start by monitoring:

| Name | Type | Value |
|---|---|---|
| _dmarc | TXT | v=DMARC1; p=none; rua=mailto:dmarc@example.com |

After a few weeks of clean reports, change `p=none` to `p=quarantine`.
$md$),
('email-forwarding', 'email', 'Forward email to another address',
 'Send copies of a mailbox''s mail, or all mail for an address, to another inbox.',
 ARRAY['email','forwarding'], 33, 'published', $md$
There are two kinds of forwarding.

## A forwarder without a mailbox

Mail to `sales@example.com` goes straight to one or more other addresses and is not stored here. Open **Email → Forwarders → New** and list the destinations.

## Forwarding from a mailbox

Keep a copy in the mailbox and send one on. Open the mailbox's settings, choose **Forwarding**, add the address and tick **Keep a copy**.

## Good to know

- Forwarded spam counts against your domain's reputation, so leave the spam filter on.
- Providers such as Gmail may delay forwarded mail that fails SPF; our servers rewrite the sender (SRS) to avoid that.
- Up to 20 destinations per forwarder.
$md$),
('spam-filter', 'email', 'Tune the spam filter',
 'Adjust how strict the filter is, allow or block senders, and find missing mail in quarantine.',
 ARRAY['email','spam'], 45, 'published', $md$
Every incoming message gets a spam **score**. Above the threshold it goes to the Junk folder; far above it is rejected.

## Strictness

| Setting | Threshold | Good for |
|---|---|---|
| Relaxed | 8 | Mailboxes that must never miss mail |
| Normal | 5 | Most people |
| Strict | 3 | Addresses published on the web |

Change it under **Email → Spam filter**.

## Allow and block lists

Add addresses or whole domains. Allowed senders skip the score; blocked senders are rejected.

## Missing mail?

Look in **Junk** first, then in **Email → Quarantine**, which keeps rejected messages for 14 days.
$md$),
('mailbox-quota', 'email', 'Mailbox full: quotas and cleaning up',
 'When a mailbox reaches its limit new mail bounces. Raise the limit or clear out old mail.',
 ARRAY['email','mailbox','storage'], 70, 'published', $md$
When a mailbox is full, senders get a bounce saying so. We warn you by email at **90%**.

## See what is using the space

In webmail, open **Settings → Folders** for the size of each folder. Sent mail and large attachments are the usual culprits.

## Free up space

- Empty **Trash** and **Junk**: deleted mail counts until those folders are emptied.
- Search for messages larger than 10 MB and save attachments elsewhere.
- Archive old years to your computer with your email app.

## Raise the limit

Open **Email → Mailboxes**, choose the mailbox and increase its limit. The total for all mailboxes cannot exceed your plan's email storage.
$md$),
('outlook-setup', 'email-apps', 'Add your mailbox to Outlook',
 'Set up the account in Outlook for Windows and Mac with IMAP.',
 ARRAY['email','outlook','imap'], 100, 'published', $md$
## Outlook for Windows

1. Open **File → Add account**.
2. Enter your email address, click **Advanced options** and tick **Let me set up my account manually**.
3. Choose **IMAP**.
4. Incoming: `mail.example-mail.net`, port **993**, SSL/TLS. Outgoing: the same server, port **465**, SSL/TLS.
5. Enter the mailbox password and finish.

## Outlook for Mac

Choose **Outlook → Settings → Accounts → + → New account**, enter the address and pick **IMAP/POP** when asked. Use the same servers and ports.

## Sent items in the wrong folder

Outlook sometimes creates its own "Sent Items" folder. Right-click the account, open **Properties → Folders**, and choose the server's **Sent** folder.
$md$),
('iphone-mail-setup', 'email-apps', 'Set up email on iPhone and iPad',
 'Add your mailbox to the Mail app on iOS and iPadOS.',
 ARRAY['email','iphone','ios','imap'], 110, 'published', $md$
1. Open **Settings → Mail → Accounts → Add Account → Other → Add Mail Account**.
2. Enter your name, email address, password and a description. Tap **Next**.
3. Choose **IMAP**.
4. Incoming mail server: host `mail.example-mail.net`, username is your full address.
5. Outgoing mail server: the same host, the same username and password.
6. Tap **Next**; the device checks the settings and turns on SSL automatically.

## If it says "cannot verify server identity"

Make sure the server name is exactly `mail.example-mail.net`, not your own domain: the certificate is issued for our name.
$md$),
('autoresponder', 'email', 'Set an out-of-office autoresponder',
 'Reply automatically while you are away, with start and end dates.',
 ARRAY['email','autoresponder'], 150, 'published', $md$
## Turn it on

1. In webmail, open **Settings → Vacation** (or **Email → Mailboxes → Autoresponder** in the control panel).
2. Write the subject and the message.
3. Set the first and last day. Outside those dates no replies are sent.

## Who gets a reply

Each sender gets at most one reply every four days. Mailing lists, bounces and messages marked as bulk never get one, so you will not start a reply loop.
$md$),
('install-wordpress', 'wordpress', 'Install WordPress in one click',
 'Create a new WordPress site with the installer: it sets up the database, SSL and updates for you.',
 ARRAY['wordpress','install'], 1, 'published', $md$
## Install

1. Open **Websites → your site → Apps** and choose **WordPress**.
2. Pick the address: the domain itself or a folder such as `/blog`.
3. Enter the site title and your admin email address.
4. Click **Install**. It takes about a minute.

We create the database and user, write `wp-config.php` with fresh security keys, and turn on automatic minor updates.

## Log in

Go to `https://example.com/wp-admin`. The admin username and a generated password are emailed to you; change the password after the first login.

## Before you publish

- Check **Settings → General** uses `https://` in both addresses.
- Delete the sample page and post.
- Install a caching plugin; see [make WordPress faster](/help/search?q=wordpress+faster).
$md$),
('wordpress-white-screen', 'wordpress', 'Fix the WordPress white screen',
 'A blank page usually means a PHP error in a plugin or theme. Turn on debugging and disable the culprit.',
 ARRAY['wordpress','troubleshooting','php','plugins'], 7, 'published', $md$
A completely white page (or "There has been a critical error on this website") means PHP stopped with an error.

## See the error

Add these lines to `wp-config.php` above the line that says *That's all, stop editing*:

```php
define('WP_DEBUG', true);
define('WP_DEBUG_LOG', true);
define('WP_DEBUG_DISPLAY', false);
```

Reload the page, then read `wp-content/debug.log` in the file manager.

## Disable the plugin or theme

- The log names a file under `wp-content/plugins/NAME/`: rename that folder to `NAME.off`.
- If it is under `themes/`, rename the theme's folder; WordPress falls back to a default theme.

## Memory exhausted

"Allowed memory size exhausted" means a script needs more memory. Raise `memory_limit` in [PHP settings](/help/search?q=php+settings).

Turn `WP_DEBUG` off again when the site works.
$md$),
('wordpress-speed', 'wordpress', 'Make WordPress faster',
 'Page caching, image sizes, fewer plugins and a current PHP version make the biggest difference.',
 ARRAY['wordpress','performance','caching'], 15, 'published', $md$
## The four biggest wins

| Change | Typical gain |
|---|---|
| Page caching | Pages served 5 to 10 times faster |
| Images resized and in WebP | Half the page weight |
| PHP 8.2 or newer | 10 to 30% faster than PHP 7.4 |
| Fewer plugins | Less work on every request |

## Page caching

Turn on **Websites → your site → Cache**. Logged-in users and carts are never cached. If you use a caching plugin instead, do not use both.

## Images

Upload images no wider than your theme shows them, and let a plugin create WebP copies. Lazy loading is built into WordPress.

## Plugins

Deactivate plugins you do not use, then delete them. Watch out for plugins that run tasks on every page view, such as visitor statistics; use a separate analytics service instead.
$md$),
('wordpress-admin-password', 'wordpress', 'Reset your WordPress admin password',
 'Use the lost-password link, or reset it from the control panel when email does not arrive.',
 ARRAY['wordpress','password','login'], 28, 'published', $md$
## The usual way

On `/wp-login.php`, click **Lost your password?** and enter your username or email address. The link in the email works for 24 hours.

## When the email does not arrive

1. Open **Websites → your site → Apps → WordPress**.
2. Click **Users**, choose the admin user and **Set password**.

## Locked out after too many attempts

Security plugins block your address after repeated failures. Wait 20 minutes, or rename the plugin's folder in `wp-content/plugins` to disable it.

## Keep it safe

Use a password manager, and turn on two-factor authentication with a plugin for every administrator account.
$md$),
('wordpress-updates', 'wordpress', 'Keep WordPress, themes and plugins updated',
 'Most hacked sites run old plugins. Turn on automatic updates and remove what you do not use.',
 ARRAY['wordpress','updates','security'], 55, 'published', $md$
Outdated plugins are the most common way WordPress sites are broken into.

## What we update for you

Minor WordPress releases (security fixes, for example 6.4.1 to 6.4.2) install automatically.

## What you should turn on

- **Dashboard → Updates**: enable automatic updates for major releases if your plugins are well maintained.
- **Plugins**: click **Enable auto-updates** for each plugin you trust.

## Before a big update

Take a [manual backup](/help/search?q=manual+backup) first. If something breaks, restore it in a few clicks.

## Abandoned plugins

A plugin not updated for two years is a risk. Look for a maintained replacement.
$md$),
('wordpress-migrate', 'wordpress', 'Move an existing WordPress site to us',
 'Use our free migration or copy the files and database yourself, then switch DNS.',
 ARRAY['wordpress','migration'], 80, 'published', $md$
## Free migration

Open a ticket with the current host's login details and we move the site for you, usually within two working days.

## Doing it yourself

1. At the old host, download all files (especially `wp-content`) and export the database as a `.sql` file.
2. Here, create a database and user under **Databases**.
3. Upload the files to your site's folder and import the `.sql` file.
4. Edit `wp-config.php`: `DB_NAME`, `DB_USER`, `DB_PASSWORD`, and `DB_HOST` set to `localhost`.
5. Preview the site with the temporary address from **Websites → Preview**.
6. Change the DNS or nameservers to us.

## After the switch

Leave the old hosting running for a week: visitors whose DNS is still cached keep reaching it.
$md$),
('wordpress-php-version', 'wordpress', 'Change the PHP version for WordPress',
 'Pick a newer PHP version per site, test it, and roll back if a plugin complains.',
 ARRAY['wordpress','php'], 130, 'published', $md$
Each site can use its own PHP version.

## Change it

Open **Websites → your site → PHP** and choose the version. The change applies within a few seconds.

| PHP version | Status |
|---|---|
| 8.3 | Recommended |
| 8.2 | Supported |
| 8.1 | Security fixes only |
| 7.4 | End of life: move away soon |

## Test first

Clone the site to a staging copy under **Apps → WordPress → Staging**, change the version there, and click through the important pages. If something breaks, switch back; nothing else changes.
$md$),
('payment-methods', 'billing', 'Payment methods we accept',
 'Cards, SEPA direct debit, PayPal and bank transfer, and which plans each is available for.',
 ARRAY['billing','payments'], 11, 'published', $md$
## Methods

| Method | Automatic renewals | Notes |
|---|---|---|
| Visa, Mastercard, American Express | Yes | Charged on the renewal date |
| SEPA direct debit | Yes | Euro accounts; collected 3 days later |
| PayPal | Yes | Approve a billing agreement once |
| Bank transfer | No | Yearly plans only; pay by the due date |

## Currency

Prices are shown in your account's currency. Your bank may add a fee for payments in other currencies.

## Business customers

Add your VAT number under **Billing → Company details** before paying so invoices show it and reverse charge applies where it should.
$md$),
('update-card', 'billing', 'Update your card details',
 'Replace an expired card before the next renewal so services keep running.',
 ARRAY['billing','payments','cards'], 16, 'published', $md$
1. Open **Billing → Payment methods**.
2. Click **Add card** and enter the new details. Your bank may ask you to confirm in its app.
3. Click **Make default** on the new card.
4. Remove the old card.

We never store the full card number; the payment provider keeps it and gives us a token.

## A renewal already failed

After you add the new card, open **Billing → Invoices** and click **Pay now** on the unpaid invoice. Suspended services come back within a few minutes.
$md$),
('invoices', 'billing', 'Download invoices and receipts',
 'Every invoice is available as a PDF; change the company name or address before the next one.',
 ARRAY['billing','invoices'], 50, 'published', $md$
## Find them

Open **Billing → Invoices**. Each row has a **PDF** link. Paid invoices show the payment date and method.

## Change what appears on them

Edit **Billing → Company details**: company name, address and VAT number. Changes apply to future invoices; issued invoices cannot be changed, but we can issue a credit note and a corrected invoice on request.

## Invoices by email

Add an accounts address under **Billing → Contacts** so invoices go to your bookkeeper as well.
$md$),
('upgrade-plan', 'billing', 'Upgrade or downgrade your plan',
 'Move between plans at any time; upgrades are prorated, downgrades take effect at renewal.',
 ARRAY['billing','plans'], 22, 'published', $md$
## Compare the plans

| | Starter | Standard | Business |
|---|---|---|---|
| Websites | 1 | 10 | Unlimited |
| Storage | 10 GB | 50 GB | 200 GB |
| Mailboxes | 5 | 50 | Unlimited |
| Daily backups kept | 7 | 14 | 30 |

## Upgrade

Open **Billing → Plan → Change plan**. You pay the difference for the rest of the current period and the new limits apply at once.

## Downgrade

Downgrades start at the next renewal. Before then, make sure you are within the smaller plan's limits, or the change waits until you are.
$md$),
('refund-policy', 'billing', 'Refunds and cancellations',
 'Hosting has a 30-day money-back guarantee; domains cannot be refunded once registered.',
 ARRAY['billing','refunds','cancel'], 95, 'published', $md$
## Money-back guarantee

New hosting plans can be cancelled within **30 days** for a full refund of the hosting fee.

## What cannot be refunded

- Domain registrations and renewals: the registry charges us immediately.
- Paid SSL certificates once issued.
- Add-ons used during the period, such as extra backup restores.

## Cancel

Open **Billing → Plan → Cancel**. Choose whether to stop now or at the end of the paid period. Download your backups first: we delete all data 14 days after the service ends.
$md$),
('failed-payment', 'billing', 'What happens when a payment fails',
 'We retry, remind you, and only suspend after 14 days. How to pay and restore service.',
 ARRAY['billing','payments','suspension'], 13, 'published', $md$
## The timeline

| Day | What happens |
|---|---|
| 0 | Payment fails; we email you and retry the next day |
| 3 | Second retry and reminder |
| 7 | Final reminder |
| 14 | Hosting is suspended; websites show a notice, email still arrives |
| 44 | Service is cancelled and data deleted |

## Restore service

Pay the open invoice under **Billing → Invoices**. Suspended sites come back within five minutes.

## Why payments fail

Expired cards, insufficient funds, and banks blocking a foreign payment are the usual reasons. Ask your bank to allow payments to us, or use another method.
$md$),
('automatic-backups', 'backups', 'How automatic backups work',
 'We back up files, databases and email every night and keep copies for 7 to 30 days by plan.',
 ARRAY['backups','restore'], 3, 'published', $md$
Every night between 01:00 and 05:00 we copy your files, databases and mailboxes to a separate storage cluster in another data centre.

## How long we keep them

| Plan | Daily copies | Weekly copies |
|---|---|---|
| Starter | 7 | none |
| Standard | 14 | 4 |
| Business | 30 | 12 |

## What is included

- All files in your home directory
- Every MySQL and PostgreSQL database
- All mailboxes

Caches and log files are left out to keep backups fast.

## Backups are not a replacement for your own copy

Keep an occasional [downloaded backup](/help/search?q=download+backup) of anything you cannot lose.
$md$),
('restore-files', 'backups', 'Restore files from a backup',
 'Bring back a deleted file or a whole folder from any of the daily copies.',
 ARRAY['backups','restore','files'], 6, 'published', $md$
1. Open **Backups → Files**.
2. Choose the date to restore from.
3. Browse to the file or folder and tick it.
4. Choose **Restore to original location** or **Restore to a new folder** (safer: nothing is overwritten).
5. Click **Restore**. Small restores take seconds; a whole site a few minutes.

## Restoring a whole website

Restore the site's folder **and** its database from the same date; a mismatch between files and database can break the site.
$md$),
('restore-database', 'backups', 'Restore a database from a backup',
 'Roll a database back to last night, or import the copy under a new name to compare.',
 ARRAY['backups','restore','databases','mysql'], 19, 'published', $md$
## Roll back

1. Open **Backups → Databases** and select the database.
2. Choose the date and click **Restore**.
3. Confirm. The current contents are replaced.

## Restore under a new name

To pick out individual rows, choose **Restore as a copy**. We create `name_restore` next to the live database; compare them in phpMyAdmin and copy what you need.

## Big databases

Databases over 5 GB are restored in the background and you get an email when it is done.
$md$),
('download-backup', 'backups', 'Download a full backup',
 'Create an archive of your files and databases to keep on your own computer.',
 ARRAY['backups','download'], 42, 'published', $md$
1. Open **Backups → Download**.
2. Choose what to include: files, databases, email.
3. Click **Create archive**. We email you a link when it is ready.
4. The link works for 7 days and the archive is a `.tar.gz` file.

## Sizes

Email makes archives large. If you only need the website, leave email out.
$md$),
('backup-before-changes', 'backups', 'Take a manual backup before big changes',
 'Make a snapshot before an update or redesign so you can roll back in minutes.',
 ARRAY['backups','snapshots','wordpress'], 27, 'published', $md$
Nightly backups may be almost a day old. Before a risky change, take a **snapshot**.

## Take a snapshot

Open **Backups → Snapshots → New snapshot**, give it a name such as *before theme update*, and choose the site. It includes the site's files and database.

## Roll back

Open the snapshot and click **Restore**. Anything changed since the snapshot is lost, so copy new orders or comments first.

We keep up to five snapshots per site for 30 days.
$md$),
('upload-files-sftp', 'hosting', 'Upload files with SFTP',
 'Connect with FileZilla, WinSCP or Cyberduck using SFTP on port 22.',
 ARRAY['hosting','sftp','files'], 17, 'published', $md$
## Connection details

| Setting | Value |
|---|---|
| Protocol | SFTP (not FTP) |
| Host | sftp.example-host.net |
| Port | 22 |
| Username | shown under **Websites → SFTP** |

Use the password set there, or add an SSH key for passwordless logins.

## Where files go

Each site has its own folder; the main site is `public_html`. Files outside it are not visible on the web, which is the right place for backups and private configuration.

## Plain FTP

Plain FTP sends passwords unencrypted, so we do not offer it.
$md$),
('php-settings', 'hosting', 'Change PHP settings',
 'Raise memory_limit, upload_max_filesize or max_execution_time for one site.',
 ARRAY['hosting','php'], 31, 'published', $md$
Open **Websites → your site → PHP → Settings**.

## Common settings

| Setting | Default | Maximum |
|---|---|---|
| memory_limit | 256M | 1024M |
| upload_max_filesize | 64M | 512M |
| post_max_size | 64M | 512M |
| max_execution_time | 60 | 300 |

`post_max_size` must be at least as large as `upload_max_filesize`.

## Apply

Changes take effect for new requests within a few seconds. You do not need a `php.ini` or `.user.ini` file; if one exists, the control panel's values win.
$md$),
('upcoming-nodejs-hosting', 'hosting', 'Managed Node.js hosting (coming soon)',
 'Draft: run Node.js apps next to your PHP sites.',
 ARRAY['hosting','nodejs'], 0, 'draft', $md$
## Draft

This article describes a feature that is not released yet: quantum-flux Node.js deployments.
$md$),
('legacy-panel-login', 'hosting', 'Log in to the legacy control panel',
 'Archived: the old panel was retired.',
 ARRAY['hosting','legacy'], 400, 'archived', $md$
The legacy panel at `old-panel.example` was retired. Use the new control panel instead.
$md$)
) AS v(slug, category, title, summary, tags, age, status, body)
JOIN kb_categories c ON c.tenant_id = mp_tenant() AND c.slug = v.category
WHERE t.id = mp_tenant()
ON CONFLICT (tenant_id, slug) DO NOTHING;

-- Some reading history so "popular" has something to rank (a fixed spread
-- per article, so both tenants look alike and reruns change nothing).
INSERT INTO kb_views (tenant_id, article_id, day, views)
SELECT a.tenant_id, a.id, current_date - d,
       1 + (abs(hashtext(a.slug || d::text)) % 40) *
           CASE WHEN a.slug IN ('point-domain-nameservers', 'free-ssl-certificate',
                'email-client-settings', 'wordpress-white-screen',
                'restore-files') THEN 4 ELSE 1 END
FROM kb_articles a CROSS JOIN generate_series(1, 14) d
WHERE a.tenant_id = mp_tenant() AND a.status = 'published'
ON CONFLICT (tenant_id, article_id, day, slot) DO NOTHING;

-- The popular list's totals of that history (migration 0028), as the
-- kb.popular job keeps them.
INSERT INTO kb_popular AS p (tenant_id, article_id, views)
SELECT mp_tenant(), article_id, sum(views)
FROM kb_views
WHERE tenant_id = mp_tenant() AND day > current_date - 30
GROUP BY article_id
HAVING sum(views) > 0
ON CONFLICT (tenant_id, article_id) DO UPDATE SET views = EXCLUDED.views;

-- Synonyms (migration 0016): common hosting vocabulary, the words customers
-- use next to the words help articles use.  Staff change them at
-- /staff/help/synonyms.  A rerun adds only groups that are missing.
INSERT INTO kb_synonyms (tenant_id, terms)
SELECT mp_tenant(), v.terms
FROM (VALUES
    -- Account and billing
    (ARRAY['cancel', 'refund', 'close account', 'terminate', 'money back']),
    (ARRAY['invoice', 'receipt', 'bill', 'statement']),
    (ARRAY['card', 'credit card', 'debit card', 'payment method']),
    (ARRAY['declined', 'failed', 'rejected']),
    (ARRAY['upgrade', 'downgrade', 'change plan', 'switch plan']),
    (ARRAY['plan', 'package', 'subscription']),
    (ARRAY['renew', 'renewal', 'extend']),
    (ARRAY['expired', 'expiry', 'lapsed']),
    (ARRAY['login', 'log in', 'sign in', 'signin']),
    (ARRAY['password', 'credentials', 'login details']),
    (ARRAY['forgot', 'lost', 'reset']),
    -- Email
    (ARRAY['email', 'e-mail', 'mail']),
    (ARRAY['mailbox', 'inbox', 'email account', 'mail account']),
    (ARRAY['spam', 'junk', 'unwanted mail']),
    (ARRAY['forward', 'redirect', 'forwarding']),
    (ARRAY['autoresponder', 'auto reply', 'out of office', 'vacation message']),
    (ARRAY['quota', 'storage', 'disk space', 'inbox full', 'mailbox full']),
    (ARRAY['webmail', 'web mail', 'browser mail']),
    (ARRAY['smtp', 'outgoing server', 'outgoing mail']),
    (ARRAY['imap', 'incoming server', 'incoming mail']),
    (ARRAY['bounce', 'undeliverable', 'returned mail', 'delivery failure']),
    (ARRAY['iphone', 'ipad', 'ios', 'apple mail']),
    -- Domains and DNS
    (ARRAY['domain', 'domain name', 'web address']),
    (ARRAY['nameservers', 'name servers', 'dns servers']),
    (ARRAY['transfer', 'move', 'migrate']),
    (ARRAY['whois privacy', 'domain privacy', 'private registration', 'id protection']),
    (ARRAY['propagation', 'dns delay', 'dns not updated']),
    -- SSL
    (ARRAY['ssl', 'https', 'certificate', 'tls']),
    (ARRAY['padlock', 'lock icon', 'not secure']),
    (ARRAY['mixed content', 'insecure content']),
    -- Sites, files and hosting
    (ARRAY['website', 'site', 'web site', 'webpage']),
    (ARRAY['slow', 'speed', 'performance', 'faster', 'loading time']),
    (ARRAY['down', 'offline', 'unreachable', 'not loading']),
    (ARRAY['white screen', 'blank page']),
    (ARRAY['internal server error', 'error 500', 'server error']),
    (ARRAY['setup', 'set up', 'configure']),
    (ARRAY['ftp', 'sftp', 'file transfer']),
    (ARRAY['php.ini', 'php settings', 'php configuration']),
    (ARRAY['database', 'mysql', 'mariadb']),
    (ARRAY['backup', 'back up', 'snapshot']),
    (ARRAY['restore', 'recover', 'roll back']),
    (ARRAY['control panel', 'cpanel', 'dashboard']),
    (ARRAY['cron', 'scheduled task']),
    (ARRAY['wordpress', 'wp']),
    (ARRAY['plugin', 'extension', 'add-on']),
    (ARRAY['hacked', 'malware', 'compromised', 'infected']),
    (ARRAY['ssh', 'shell', 'command line', 'terminal'])
) AS v(terms)
WHERE NOT EXISTS (SELECT 1 FROM kb_synonyms s WHERE s.terms = v.terms);
