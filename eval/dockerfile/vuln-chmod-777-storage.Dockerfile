FROM php:8.3-fpm
WORKDIR /var/www/html
COPY . .
RUN composer install --no-dev --optimize-autoloader \
 && chmod -R 777 storage bootstrap/cache
USER www-data
