<?cs # The branding page: the white-label settings, images, custom domain, and a live preview of the colours. ?>
<?cs include:"layout.cs" ?>
<?cs def:field_error(name) ?><?cs if:Brand.ErrorField == name ?><p class="field-error" id="err-<?cs var:name ?>"><?cs var:Brand.Error ?></p><?cs /if ?><?cs /def ?>
<?cs def:text_field(name, label, hint) ?>
<p><label for="f-<?cs var:name ?>"><?cs var:label ?></label><br>
<input id="f-<?cs var:name ?>" name="<?cs var:name ?>" value="<?cs var:Brand.Form[name] ?>"<?cs if:Brand.ErrorField == name ?> aria-invalid="true" aria-describedby="err-<?cs var:name ?>"<?cs /if ?> size="40">
<?cs if:hint ?><br><span class="hint"><?cs var:hint ?></span><?cs /if ?></p>
<?cs call:field_error(name) ?>
<?cs /def ?>
<?cs call:page_start(Page.Title) ?>
<link rel="stylesheet" id="brand-preview-css" href="/admin/branding/preview.css?primary_color=<?cs var:url_escape(Brand.Form.primary_color) ?>&amp;secondary_color=<?cs var:url_escape(Brand.Form.secondary_color) ?>&amp;accent_color=<?cs var:url_escape(Brand.Form.accent_color) ?>">
<h1>Branding</h1>
<?cs if:Brand.Notice ?><p class="notice" role="status"><?cs var:Brand.Notice ?></p><?cs /if ?>
<?cs if:Brand.Error && !Brand.ErrorField ?><p class="field-error" role="alert"><?cs var:Brand.Error ?></p><?cs /if ?>
<?cs if:Brand.Error && Brand.ErrorField ?><p class="field-error" role="alert">Not saved: <?cs var:Brand.Error ?></p><?cs /if ?>

<section aria-labelledby="preview-h">
<h2 id="preview-h">Preview</h2>
<div class="brand-preview" id="brand-preview">
  <div class="pv-head"><?cs if:Brand.Form.portal_title ?><?cs var:Brand.Form.portal_title ?><?cs else ?><?cs var:Tenant.Name ?><?cs /if ?></div>
  <div class="pv-body">
    <p><?cs var:Brand.Form.welcome_message ?></p>
    <p><a class="pv-link" href="#brand-preview">A link in your colours</a> <span class="pv-badge">Accent</span></p>
    <p><button type="button">A button</button></p>
  </div>
</div>
<p class="hint">The preview follows the colour fields as you type; save to apply them everywhere.</p>
</section>

<form method="post" action="/admin/branding" class="brand-form">
<?cs call:csrf_field() ?>
<h2>Name and words</h2>
<?cs call:text_field("company_name", "Company name", "Shown in the footer and mail.") ?>
<?cs call:text_field("portal_title", "Portal title", "") ?>
<?cs call:text_field("tagline", "Tagline", "") ?>
<p><label for="f-welcome_message">Welcome message</label><br>
<textarea id="f-welcome_message" name="welcome_message" rows="3" cols="60"><?cs var:Brand.Form.welcome_message ?></textarea></p>
<?cs call:field_error("welcome_message") ?>
<?cs call:text_field("meta_description", "Description for search engines", "Up to 300 characters; the meta description of pages that have none of their own.") ?>
<h2>Colours</h2>
<?cs call:text_field("primary_color", "Primary colour", "#rgb or #rrggbb; white text on it must reach a 4.5:1 contrast (WCAG AA).") ?>
<?cs call:text_field("secondary_color", "Secondary colour", "") ?>
<?cs call:text_field("accent_color", "Accent colour", "White text on it must reach 4.5:1 too.") ?>
<h2>Contact and mail</h2>
<?cs call:text_field("support_email", "Support email", "") ?>
<?cs call:text_field("support_phone", "Support phone", "") ?>
<?cs call:text_field("email_from_name", "Mail sender name", "") ?>
<?cs call:text_field("email_from_address", "Mail sender address", "") ?>
<h2>Footer links</h2>
<p><label for="f-footer_links">One per line: Label | https://address</label><br>
<textarea id="f-footer_links" name="footer_links" rows="4" cols="60"><?cs var:Brand.Form.footer_links ?></textarea></p>
<?cs call:field_error("footer_links") ?>
<h2>Custom CSS</h2>
<p><label for="f-custom_css">Added after the colours in your stylesheet</label><br>
<textarea id="f-custom_css" name="custom_css" rows="8" cols="60" spellcheck="false"><?cs var:Brand.Form.custom_css ?></textarea><br>
<span class="hint">No @import, no &lt;, no url() except your uploaded images (/brand/&lt;name&gt;), at most 20000 bytes.</span></p>
<?cs call:field_error("custom_css") ?>
<h2>Custom domain</h2>
<?cs call:text_field("custom_domain", "Domain", "Saving a new domain issues a token; then publish it and check below.") ?>
<p><button type="submit">Save branding</button></p>
</form>

<section aria-labelledby="images-h">
<h2 id="images-h">Logos and favicon</h2>
<ul class="brand-images">
  <li>Logo: <?cs if:Brand.Form.logo_url ?><img src="<?cs var:Brand.Form.logo_url ?>" alt="Current logo"><?cs else ?>none<?cs /if ?></li>
  <li>Logo on dark backgrounds: <?cs if:Brand.Form.logo_dark_url ?><img src="<?cs var:Brand.Form.logo_dark_url ?>" alt="Current dark logo"><?cs else ?>none<?cs /if ?></li>
  <li>Favicon: <img src="<?cs var:Brand.Form.favicon_url ?>" alt="Current favicon" width="32" height="32"></li>
</ul>
<form method="post" action="/admin/branding/logo" enctype="multipart/form-data">
<?cs call:csrf_field() ?>
<p><label for="f-kind">Which image</label><br>
<select id="f-kind" name="kind"><option value="light">Logo</option><option value="dark">Logo on dark backgrounds</option><option value="favicon">Favicon</option></select></p>
<p><label for="f-file">PNG, JPEG, WebP or ICO (no SVG); logos up to 512 KB and 2048 px, favicons up to 100 KB and 512 px</label><br>
<input id="f-file" type="file" name="file" accept="image/png,image/jpeg,image/webp,image/x-icon" required></p>
<?cs call:field_error("file") ?>
<p><button type="submit">Upload</button></p>
</form>
</section>

<?cs if:Brand.Form.pending_domain ?>
<section aria-labelledby="domain-h">
<h2 id="domain-h">Domain check</h2>
<p>Domain <strong><?cs var:Brand.Form.pending_domain ?></strong>: <?cs var:Brand.Form.domain_status ?><?cs if:Brand.Form.domain_detail ?> (<?cs var:Brand.Form.domain_detail ?>)<?cs /if ?>.</p>
<p>Serve a file at <code><?cs var:Brand.Form.check_url ?></code> whose content is <code><?cs var:Brand.Form.token ?></code>, point the domain at this service, then:</p>
<form method="post" action="/admin/branding/domain">
<?cs call:csrf_field() ?>
<input type="hidden" name="domain" value="<?cs var:Brand.Form.pending_domain ?>">
<p><button type="submit">Check the domain now</button></p>
</form>
</section>
<?cs /if ?>
<script src="/static/js/brand.js" defer></script>
<?cs call:page_end() ?>
