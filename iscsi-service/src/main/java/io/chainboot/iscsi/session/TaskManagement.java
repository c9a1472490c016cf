package io.chainboot.iscsi.session;

import io.chainboot.iscsi.pdu.TmfFunction;
import io.chainboot.iscsi.pdu.TmfResponse;

/**
 * Task management (RFC 7143 §11.5, §11.6) at ErrorRecoveryLevel 0, as a pure decision: which tasks a
 * request aborts, which reset the SCSI layer gets, the response code and whether the connection then
 * closes. The connection applies it; nothing here touches a task or a socket.
 */
public final class TaskManagement {
    private TaskManagement() {}

    /** The tasks a function aborts. */
    public enum Aborts { NONE, REFERENCED_TASK, TASKS_OF_LUN, ALL_TASKS }

    /** The reset a function asks of the SCSI layer. */
    public enum Reset { NONE, LOGICAL_UNIT, TARGET }

    /** What to do, then what to answer. */
    public record Decision(Aborts aborts, Reset reset, TmfResponse response, boolean closeAfter) {
        static Decision answer(TmfResponse response) {
            return new Decision(Aborts.NONE, Reset.NONE, response, false);
        }
    }

    /** What the connection knows about the request, read before deciding. */
    public record Request(int function, boolean discovery, boolean referencedTaskKnown, boolean refCmdSnBeforeWindow,
                          boolean lunExists) {}

    public static Decision decide(Request r) {
        if (r.discovery()) {
            return Decision.answer(TmfResponse.FUNCTION_NOT_SUPPORTED); // §4.3: no tasks in a discovery session
        }
        // an unknown function is answered as CLEAR ACA is: not supported
        return switch (TmfFunction.of(r.function()).orElse(TmfFunction.CLEAR_ACA)) {
            case ABORT_TASK -> r.referencedTaskKnown()
                    ? new Decision(Aborts.REFERENCED_TASK, Reset.NONE, TmfResponse.FUNCTION_COMPLETE, false)
                    // §11.5.1: not received yet but inside the window -> treated as aborted (complete)
                    : Decision.answer(r.refCmdSnBeforeWindow() ? TmfResponse.TASK_DOES_NOT_EXIST
                            : TmfResponse.FUNCTION_COMPLETE);
            case ABORT_TASK_SET, CLEAR_TASK_SET ->
                    new Decision(Aborts.TASKS_OF_LUN, Reset.NONE, TmfResponse.FUNCTION_COMPLETE, false);
            case LOGICAL_UNIT_RESET -> r.lunExists()
                    ? new Decision(Aborts.TASKS_OF_LUN, Reset.LOGICAL_UNIT, TmfResponse.FUNCTION_COMPLETE, false)
                    : Decision.answer(TmfResponse.LUN_DOES_NOT_EXIST);
            case TARGET_WARM_RESET -> new Decision(Aborts.ALL_TASKS, Reset.TARGET, TmfResponse.FUNCTION_COMPLETE, false);
            case TARGET_COLD_RESET -> new Decision(Aborts.ALL_TASKS, Reset.TARGET, TmfResponse.FUNCTION_COMPLETE, true);
            case TASK_REASSIGN -> Decision.answer(TmfResponse.TASK_REASSIGNMENT_NOT_SUPPORTED); // needs ERL 2
            case CLEAR_ACA -> Decision.answer(TmfResponse.FUNCTION_NOT_SUPPORTED); // no ACA support (NACA=0)
        };
    }
}
