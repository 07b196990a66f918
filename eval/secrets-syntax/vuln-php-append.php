<?php
$config = "";
$zendesk_token .= "6bjMbdZ4snhFv9EgxhXd95jTd5gPiaDD";
