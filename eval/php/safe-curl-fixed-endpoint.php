<?php
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, 'https://images.example-cdn.com/v1/fetch?id=' . urlencode($_POST['image_id']));
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch, CURLOPT_TIMEOUT, 10);
$image = curl_exec($ch);
curl_close($ch);
file_put_contents('/var/www/uploads/' . bin2hex(random_bytes(8)) . '.img', $image);
