require "net/http"

class ErpClient
  def fetch_stock(sku)
    uri = URI("https://erp.internal.example.com/api/stock/#{ERB::Util.url_encode(sku)}")
    http = Net::HTTP.new(uri.host, uri.port)
    http.use_ssl = true
    http.verify_mode = OpenSSL::SSL::VERIFY_PEER
    http.ca_file = "/etc/ssl/erp-ca.pem"
    JSON.parse(http.get(uri.request_uri).body)
  end
end
