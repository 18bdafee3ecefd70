package content

// Providers are the mail and API providers an entry may name in front matter,
// by slug, with the name people see. An unknown slug is a validation error, so
// a typo can never split one provider's filter in two.
var providerNames = map[string]string{
	"gmail":           "Gmail",
	"microsoft":       "Microsoft",
	"microsoft-entra": "Microsoft Entra",
	"microsoft-ews":   "Exchange Web Services",
	"microsoft-graph": "Microsoft Graph",
	"twilio":          "Twilio",
}

// ProviderName returns the display name of a provider slug ("gmail" → "Gmail").
func ProviderName(slug string) string {
	if n, ok := providerNames[slug]; ok {
		return n
	}
	return slug
}

// KnownProvider reports whether slug is a provider entries may name.
func KnownProvider(slug string) bool {
	_, ok := providerNames[slug]
	return ok
}

// ProviderSlugs lists every known provider slug in a stable order.
func ProviderSlugs() []string {
	return []string{"gmail", "microsoft", "microsoft-entra", "microsoft-ews", "microsoft-graph", "twilio"}
}
