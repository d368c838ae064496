<?cs # The survey form reached from mail: the question, the scale as large labelled radio buttons, an optional comment. ?>
<?cs include:"layout.cs" ?>
<?cs call:page_start(Page.Title) ?>
<section class="survey">
  <form method="post" action="<?cs var:Survey.Action ?>" novalidate>
    <?cs call:csrf_field() ?>
    <?cs if:Survey.Error.Message ?>
    <p class="survey-error" role="alert" id="survey-error"><?cs var:Survey.Error.Message ?></p>
    <?cs /if ?>
    <fieldset class="survey-scale<?cs if:Survey.Wide ?> wide<?cs /if ?>"<?cs if:Survey.Error.Field == "score" ?> aria-describedby="survey-error"<?cs /if ?>>
      <legend><h1><?cs var:Survey.Question ?></h1></legend>
      <div class="survey-options">
        <?cs each:o = Survey.Scale ?><label class="survey-option"><input type="radio" name="score" value="<?cs var:o.Score ?>"<?cs if:o.Checked ?> checked<?cs /if ?>><span><?cs var:o.Score ?></span></label>
        <?cs /each ?>
      </div>
      <p class="survey-ends"><span><?cs var:Survey.Low ?></span><span><?cs var:Survey.High ?></span></p>
    </fieldset>
    <p class="survey-comment">
      <label for="comment">Anything you would like to add? <span class="muted">(optional, up to <?cs var:Survey.CommentMax ?> characters)</span></label>
      <textarea id="comment" name="comment" rows="5" maxlength="<?cs var:Survey.CommentMax ?>"<?cs if:Survey.Error.Field == "comment" ?> aria-describedby="survey-error"<?cs /if ?>><?cs var:Survey.Comment ?></textarea>
    </p>
    <p><button type="submit" class="survey-submit">Send my answer</button></p>
  </form>
</section>
<?cs call:page_end() ?>
