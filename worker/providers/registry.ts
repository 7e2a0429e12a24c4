// The cloud providers of this deployment, built from the configuration: their ProviderApi (for the
// backends) and the downloader the inbound path uses to fetch a received fax's PDF by id.
import type { Config } from '../config.ts';
import { PhaxioApi } from './phaxio/phaxio-api.ts';
import { SinchApi } from './sinch/sinch-api.ts';
import type { Downloader } from './provider-inbound.ts';

export function providerApi(name: string, config: Config): PhaxioApi | SinchApi | null {
  if (name === 'phaxio') return new PhaxioApi(config.providers, config.publicApiUrl);
  if (name === 'sinch') return new SinchApi(config.providers, config.publicApiUrl);
  return null;
}

export function providerDownloader(config: Config): Downloader {
  return async (provider, ref) => {
    const api = providerApi(provider, config);
    if (!api) throw new Error(`no provider ${provider}`);
    return api.download(ref);
  };
}
