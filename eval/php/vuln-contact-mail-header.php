<?php
// corgi-expect: php-dataflow-mail-header
$name = $_POST['name'];
$email = $_POST['email'];
$headers = "From: $name <$email>\r\n";
mail('support@example.com', 'Contact form', $_POST['message'], $headers);
