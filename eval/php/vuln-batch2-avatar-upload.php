<?php
$name = $_FILES['avatar']['name'];
$target = __DIR__ . '/uploads/' . $name;
move_uploaded_file($_FILES['avatar']['tmp_name'], $target);
echo "<img src=\"/uploads/$name\">";
