require "net/http"

class ErpClient
  def fetch_stock(sku)
    uri = URI("https://erp.internal.example.com/api/stock/#{sku}")
    http = Net::HTTP.new(uri.host, uri.port)
    http.use_ssl = true
    http.verify_mode = OpenSSL::SSL::VERIFY_NONE
    JSON.parse(http.get(uri.request_uri).body)
  end
end
