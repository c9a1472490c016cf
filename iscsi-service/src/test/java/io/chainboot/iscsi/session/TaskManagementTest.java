package io.chainboot.iscsi.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.chainboot.iscsi.pdu.TmfFunction;
import io.chainboot.iscsi.pdu.TmfResponse;
import io.chainboot.iscsi.session.TaskManagement.Aborts;
import io.chainboot.iscsi.session.TaskManagement.Decision;
import io.chainboot.iscsi.session.TaskManagement.Request;
import io.chainboot.iscsi.session.TaskManagement.Reset;
import org.junit.jupiter.api.Test;

/** The task management decision table at ErrorRecoveryLevel 0 (RFC 7143 §11.5, §11.6), without a session. */
class TaskManagementTest {
    static Decision decide(TmfFunction f, boolean known, boolean before, boolean lunExists) {
        return TaskManagement.decide(new Request(f.code(), false, known, before, lunExists));
    }

    @Test
    void abortTaskAbortsAKnownTaskAndAnswersForOneNotYetReceived() {
        assertThat(decide(TmfFunction.ABORT_TASK, true, false, true))
                .isEqualTo(new Decision(Aborts.REFERENCED_TASK, Reset.NONE, TmfResponse.FUNCTION_COMPLETE, false));
        assertThat(decide(TmfFunction.ABORT_TASK, false, false, true).response())
                .as("inside the window, not received yet: treated as aborted").isEqualTo(TmfResponse.FUNCTION_COMPLETE);
        assertThat(decide(TmfFunction.ABORT_TASK, false, true, true))
                .as("RefCmdSN already past: the task is gone")
                .isEqualTo(new Decision(Aborts.NONE, Reset.NONE, TmfResponse.TASK_DOES_NOT_EXIST, false));
    }

    @Test
    void taskSetsAndResets() {
        assertThat(decide(TmfFunction.ABORT_TASK_SET, false, false, true).aborts()).isEqualTo(Aborts.TASKS_OF_LUN);
        assertThat(decide(TmfFunction.CLEAR_TASK_SET, false, false, true).aborts()).isEqualTo(Aborts.TASKS_OF_LUN);
        assertThat(decide(TmfFunction.LOGICAL_UNIT_RESET, false, false, true))
                .isEqualTo(new Decision(Aborts.TASKS_OF_LUN, Reset.LOGICAL_UNIT, TmfResponse.FUNCTION_COMPLETE, false));
        assertThat(decide(TmfFunction.LOGICAL_UNIT_RESET, false, false, false))
                .as("a LUN the target does not have: nothing aborted, nothing reset")
                .isEqualTo(new Decision(Aborts.NONE, Reset.NONE, TmfResponse.LUN_DOES_NOT_EXIST, false));
        assertThat(decide(TmfFunction.TARGET_WARM_RESET, false, false, true))
                .isEqualTo(new Decision(Aborts.ALL_TASKS, Reset.TARGET, TmfResponse.FUNCTION_COMPLETE, false));
        assertThat(decide(TmfFunction.TARGET_COLD_RESET, false, false, true))
                .as("a cold reset also drops the connection")
                .isEqualTo(new Decision(Aborts.ALL_TASKS, Reset.TARGET, TmfResponse.FUNCTION_COMPLETE, true));
    }

    @Test
    void unsupportedFunctionsChangeNothing() {
        assertThat(decide(TmfFunction.TASK_REASSIGN, true, false, true))
                .isEqualTo(new Decision(Aborts.NONE, Reset.NONE, TmfResponse.TASK_REASSIGNMENT_NOT_SUPPORTED, false));
        assertThat(decide(TmfFunction.CLEAR_ACA, true, false, true).response()).isEqualTo(TmfResponse.FUNCTION_NOT_SUPPORTED);
        assertThat(TaskManagement.decide(new Request(42, false, true, false, true)))
                .as("an unknown function number")
                .isEqualTo(new Decision(Aborts.NONE, Reset.NONE, TmfResponse.FUNCTION_NOT_SUPPORTED, false));
        for (TmfFunction f : TmfFunction.values()) {
            assertThat(TaskManagement.decide(new Request(f.code(), true, true, false, true)))
                    .as("%s in a discovery session", f)
                    .isEqualTo(new Decision(Aborts.NONE, Reset.NONE, TmfResponse.FUNCTION_NOT_SUPPORTED, false));
        }
    }
}
