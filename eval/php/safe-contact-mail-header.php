<?php
$email = filter_var($_POST['email'], FILTER_VALIDATE_EMAIL);
if ($email === false) {
    http_response_code(422);
    exit;
}
$headers = "From: noreply@example.com\r\nReply-To: $email\r\n";
mail('support@example.com', 'Contact form', $_POST['message'], $headers);
