// Administrative actions on resource servers (APIs): the same rights as on applications.
import type { NewResourceServer, ResourceServerPatch } from '../../resources/resource-server.schema.js';
import type { Services } from '../../services.js';
import { type AdminContext, authorize } from './admin-context.js';

export class ResourceActions {
  constructor(private readonly s: Services) {}

  list(admin: AdminContext) {
    authorize(admin, 'clients.read');
    return this.s.resources.list();
  }

  get(admin: AdminContext, identifier: string) {
    authorize(admin, 'clients.read');
    return this.s.resources.get(identifier);
  }

  add(admin: AdminContext, input: NewResourceServer) {
    return this.s.resources.add(input, authorize(admin, 'clients.write'));
  }

  update(admin: AdminContext, identifier: string, input: ResourceServerPatch) {
    return this.s.resources.update(identifier, input, authorize(admin, 'clients.write'));
  }

  delete(admin: AdminContext, identifier: string) {
    return this.s.resources.delete(identifier, authorize(admin, 'clients.write'));
  }

  /** A new secret for the resource server's introspection credentials, returned once. */
  async rotateSecret(admin: AdminContext, identifier: string) {
    const ctx = authorize(admin, 'clients.write');
    const { clientId } = await this.s.resources.get(identifier);
    return { clientId, clientSecret: await this.s.clients.rotateSecret(clientId, ctx) };
  }
}
