-- Staff delete empty help-center categories (/staff/help/categories).
GRANT DELETE ON kb_categories TO mpanel_app;
