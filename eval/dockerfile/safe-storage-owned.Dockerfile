FROM php:8.3-fpm
WORKDIR /var/www/html
COPY --chown=www-data:www-data . .
RUN composer install --no-dev --optimize-autoloader \
 && chmod -R 775 storage bootstrap/cache
USER www-data
