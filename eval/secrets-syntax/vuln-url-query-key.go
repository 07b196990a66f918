package weather

import "net/http"

// Forecast asks the provider for the next days' forecast.
func Forecast(city string) (*http.Response, error) {
	return http.Get("https://api.weatherprovider.example/v3/forecast?units=metric&apikey=q7Rk2mXv9LpT4sWz8YbN1cF6hJ3dG0aE&city=" + city)
}
