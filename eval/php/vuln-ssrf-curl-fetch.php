<?php
$ch = curl_init();
curl_setopt($ch, CURLOPT_URL, $_POST['image_url']);
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch, CURLOPT_TIMEOUT, 10);
$image = curl_exec($ch);
curl_close($ch);
file_put_contents('/var/www/uploads/' . uniqid() . '.img', $image);
