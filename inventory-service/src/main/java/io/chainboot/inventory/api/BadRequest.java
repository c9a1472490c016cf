package io.chainboot.inventory.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** A 400 with the reason as a JSON body. */
public class BadRequest extends WebApplicationException {
    public BadRequest(String reason) {
        super(reason, Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(reason)).build());
    }
}
